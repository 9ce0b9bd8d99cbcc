/**
 * Fault scenarios 3 and 4: the consuming side fails while the producer runs at 2 000 points/s.
 * Telegraf commits a message's offset only after InfluxDB has taken its points (at least once),
 * and InfluxDB keeps one point per series and timestamp (idempotent writes): so a killed Telegraf
 * or a stopped InfluxDB delays points but neither loses nor duplicates them.
 */
import { describe, expect, it } from 'vitest';
import { compose, waitUntil } from '../stack/stack-env';
import {
  faultSuite,
  holdFaultFor,
  influxHealthy,
  report,
  startTrackedProducer,
  storedBetween,
  TOPIC,
  waitForAcks,
  waitForExactSet,
} from './fault-harness';

const suite = faultSuite();
const since = new Date(Date.now() - 60_000).toISOString();

/** Messages on the topic that Telegraf's consumer group has not committed yet. */
async function consumerLag(): Promise<number> {
  const [ends, committed] = await Promise.all([
    suite.admin.fetchTopicOffsets(TOPIC),
    suite.admin.fetchOffsets({ groupId: 'telegraf-walkstream', topics: [TOPIC] }),
  ]);
  const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  return ends.reduce(
    (lag, e) => lag + Math.max(0, Number(e.high) - Math.max(0, done.get(e.partition) ?? 0)),
    0,
  );
}

describe('the consuming side failing while producing', () => {
  it('Telegraf SIGKILLed mid-stream and restarted: InfluxDB ends with exactly the produced set', async () => {
    const p = await startTrackedProducer('telegraf');
    suite.running = p;
    await waitForAcks(p, 4_000);
    await compose('kill', '-s', 'SIGKILL', 'telegraf');
    const killedAt = Date.now();
    await waitUntil('lag grows with Telegraf gone', consumerLag, (lag) => lag > 500, 30_000);
    await holdFaultFor(10_000 - (Date.now() - killedAt));
    const restartedAt = Date.now();
    await compose('start', 'telegraf');
    await waitUntil('Telegraf catches up (lag < 200 messages)', consumerLag, (lag) => lag < 200, 120_000);
    const caughtUpMs = Date.now() - restartedAt;
    const acked = await p.stop();
    suite.running = undefined;
    const exact = await waitForExactSet(p, since);
    expect(exact.mismatches.slice(0, 5)).toEqual([]);
    report('3 Telegraf killed', {
      points: acked,
      stored: exact.stored,
      lost: exact.lost,
      duplicates: exact.duplicates,
      downForMs: restartedAt - killedAt,
      caughtUpAfterRestartMs: caughtUpMs,
    });
  });

  it('InfluxDB stopped for 60 s: nothing lost; the backlog drains after it starts', {
    timeout: 600_000,
  }, async () => {
    const p = await startTrackedProducer('influx', 10, 100);
    suite.running = p;
    await waitForAcks(p, 4_000);
    await compose('stop', 'influxdb');
    const stoppedAt = Date.now();
    await holdFaultFor(60_000);
    await compose('start', 'influxdb');
    console.log(`[faults] InfluxDB started again after ${Date.now() - stoppedAt} ms`);
    await waitUntil('InfluxDB healthy again', influxHealthy, (ok) => ok, 120_000, 250);
    const healthyAt = Date.now();
    // Stop producing now, so the backlog is a fixed amount to drain.
    const acked = await p.stop();
    suite.running = undefined;
    const exact = await waitForExactSet(p, since, 180_000);
    expect(exact.mismatches.slice(0, 5)).toEqual([]);
    const drainMs = Date.now() - healthyAt;
    // The backlog, counted where it ends: points stamped while InfluxDB was away can only have been
    // written after it came back (a few in flight at the stop are not counted: a lower bound).
    const backlog = await storedBetween(
      p.prefix,
      new Date(stoppedAt).toISOString(),
      new Date(healthyAt).toISOString(),
    );
    expect(backlog).toBeGreaterThan(50_000); // 60 s at 1 000 points/s
    report('4 InfluxDB stopped 60 s', {
      points: acked,
      stored: exact.stored,
      lost: exact.lost,
      duplicates: exact.duplicates,
      downForMs: healthyAt - stoppedAt,
      backlogPoints: backlog,
      drainedInMs: drainMs,
      drainRatePointsPerS: backlog / (drainMs / 1000),
      exactSetCheckWaitedMs: exact.waitedMs,
    });
  });
});
