/**
 * Grafana's alert rules (stack/grafana/dashboards-src/alert-rules.ts → provisioning/alerting/),
 * checked without Grafana (it cannot run here): each rule's own Flux query runs against the real
 * InfluxDB and its own threshold is applied, as Grafana's threshold expression would (its `for`
 * duration is not emulated). Quiet while the pipeline is healthy; firing under the matching fault,
 * or, for the signals a fault here cannot produce (a buffer that drops points, by design), on
 * Telegraf-shaped points written to a scratch bucket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALERT_RULES,
  type AlertRule,
  KAFKA_BROKERS,
  ruleFires,
} from '../../stack/grafana/dashboards-src/alert-rules';
import { compose, flux, influxApi, scratchBucket, stackEnv, waitUntil } from '../stack/stack-env';
import {
  holdFaultFor,
  influxHealthy,
  report,
  restoreStack,
  startTrackedProducer,
  type TrackedProducer,
  waitForAcks,
} from './fault-harness';

let running: TrackedProducer | undefined;
const rule = (uid: string) => ALERT_RULES.find((r) => r.uid === uid) as AlertRule;

/** The rule's number now, in `bucket`; null when its query returns nothing (Grafana: no data, OK). */
async function ruleValue(r: AlertRule, bucket = stackEnv.influxBucket): Promise<number | null> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder Grafana fills in.
  const rows = await flux<{ _value: number }>(r.query.replaceAll('${INFLUX_BUCKET}', bucket));
  return rows.length ? Number(rows[0]?._value) : null;
}
const fires = (r: AlertRule, v: number | null) => v !== null && ruleFires(r, v);

beforeAll(async () => {
  running = await startTrackedProducer('alerts');
  await waitForAcks(running, 2_000);
});

afterAll(async () => {
  await running?.producer.stop().catch(() => {});
  await restoreStack();
});

describe("Grafana's alert rules, on the real InfluxDB", () => {
  it('are all quiet while the pipeline is healthy', async () => {
    for (const r of ALERT_RULES) {
      // A fault of an earlier suite may still be inside a rule's window: quiet within its span.
      const v = await waitUntil(
        `${r.title}: quiet`,
        () => ruleValue(r),
        (x) => !fires(r, x),
        90_000,
        2_000,
      );
      expect(fires(r, v), `${r.title} = ${v}`).toBe(false);
    }
  });

  it('"data older than 10 s" fires while Telegraf is paused and is quiet again after', async () => {
    const stale = rule('walkstream-data-stale');
    await compose('pause', 'telegraf');
    const pausedAt = Date.now();
    try {
      const v = await waitUntil(
        'stale data fires',
        () => ruleValue(stale),
        (x) => fires(stale, x),
        60_000,
        1_000,
      );
      report('8a alert: data stale', { firedAfterPauseMs: Date.now() - pausedAt, value: v ?? 0 });
    } finally {
      await compose('unpause', 'telegraf');
    }
    await waitUntil(
      'stale data quiet again',
      () => ruleValue(stale),
      (x) => !fires(stale, x),
      60_000,
      1_000,
    );
  });

  it('"cannot write to InfluxDB" fires once Telegraf reports the failed writes of an InfluxDB outage', async () => {
    const errors = rule('walkstream-telegraf-write-errors');
    await compose('stop', 'influxdb');
    await holdFaultFor(10_000); // the outage itself: Telegraf's writes fail meanwhile
    await compose('start', 'influxdb');
    await waitUntil('InfluxDB healthy again', influxHealthy, (ok) => ok, 120_000, 250);
    const v = await waitUntil(
      'write errors fire',
      () => ruleValue(errors),
      (x) => fires(errors, x),
      60_000,
      2_000,
    );
    report('8b alert: write errors', { failedWritesInLastMinute: v ?? 0 });
  });

  it('"fewer than 3 brokers accept connections" fires while a broker is stopped, not while one is frozen, and is quiet after', async () => {
    const brokers = rule('walkstream-brokers-accepting');
    // Frozen: the kernel still accepts the probe's connection, so the rule (honestly named) stays quiet.
    await compose('pause', 'kafka-3');
    try {
      await holdFaultFor(6_000); // three probes
      expect(await ruleValue(brokers)).toBe(KAFKA_BROKERS);
    } finally {
      await compose('unpause', 'kafka-3');
    }
    await compose('stop', 'kafka-3');
    const stoppedAt = Date.now();
    try {
      const v = await waitUntil(
        'fewer brokers fires',
        () => ruleValue(brokers),
        (x) => fires(brokers, x),
        60_000,
        1_000,
      );
      expect(v).toBe(KAFKA_BROKERS - 1);
      report('8c alert: broker stopped', { firedAfterStopMs: Date.now() - stoppedAt, accepting: v ?? 0 });
    } finally {
      await restoreStack();
    }
    const v = await waitUntil(
      'fewer brokers quiet again',
      () => ruleValue(brokers),
      (x) => !fires(brokers, x),
      60_000,
      1_000,
    );
    expect(v).toBe(KAFKA_BROKERS);
  });

  it('"dropped points" and "holds more than 30 s of data" fire on their signals (scratch bucket)', async () => {
    const { name: bucket, remove } = await scratchBucket('alerts-scratch');
    try {
      const now = Date.now();
      const line = (agoS: number, fields: string) =>
        `internal_write,alias=kafka_data,output=influxdb_v2 ${fields} ${(now - agoS * 1000) * 1_000_000}`;
      const write = (body: string) =>
        influxApi(`/api/v2/write?org=${stackEnv.influxOrg}&bucket=${bucket}&precision=ns`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain' },
          body,
        });
      const dropping = rule('walkstream-telegraf-dropping');
      const backlog = rule('walkstream-telegraf-backlog');
      // Healthy shape first: nothing dropped, a small buffer, many written.
      await write(
        [
          line(20, 'metrics_dropped=0i,buffer_size=50i,metrics_written=1000i'),
          line(2, 'metrics_dropped=0i,buffer_size=40i,metrics_written=31000i'),
        ].join('\n'),
      );
      expect(fires(dropping, await ruleValue(dropping, bucket))).toBe(false);
      expect(fires(backlog, await ruleValue(backlog, bucket))).toBe(false);
      // Then: 5 points dropped, and a buffer far larger than what was written in 30 s.
      await write(line(1, 'metrics_dropped=5i,buffer_size=900000i,metrics_written=31500i'));
      expect(await ruleValue(dropping, bucket)).toBe(5);
      expect(fires(backlog, await ruleValue(backlog, bucket))).toBe(true);
    } finally {
      await remove().catch(() => {});
    }
  });
});
