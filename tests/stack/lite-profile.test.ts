/**
 * The lite profile (stack/profiles/lite.yaml) on the real images: one broker, no Kafka UI, as a
 * second Compose project beside the test stack (its own ports and volumes). The producer at
 * 1 000 points/s for 20 s: every acknowledged point arrives, and the stack's memory is printed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InfluxDB } from '@influxdata/influxdb-client';
import { createKafkaSink, createProducer } from '@walkstream/producer';
import { afterAll, describe, expect, it } from 'vitest';
import { composeCommand, stackEnv, waitUntil } from './stack-env';

const run = promisify(execFile);
const project = `${stackEnv.project}-lite`;
// Clear of the test stack's ports (29092.., 28086, 29273) and of a user's default ones.
const ports = { KAFKA_1_PORT: '29592', INFLUXDB_PORT: '28586', TELEGRAF_METRICS_PORT: '29773' };

function lite(...args: string[]): Promise<string> {
  return run(
    stackEnv.docker,
    [
      ...composeCommand(['compose.yaml', 'profiles/lite.yaml', 'local-images/compose.local.yaml'], project),
      ...args,
    ],
    // The shell's values win over the env file: only the ports move.
    { env: { ...process.env, ...ports }, maxBuffer: 16 * 2 ** 20 },
  ).then((r) => r.stdout);
}

const MIB = 2 ** 20;

/** Each running container's memory as `docker stats` shows it, bytes. */
async function memoryByService(): Promise<Map<string, number>> {
  const ids = (await lite('ps', '-q')).trim().split('\n').filter(Boolean);
  const { stdout } = await run(stackEnv.docker, [
    'stats',
    '--no-stream',
    '--format',
    '{{.Name}} {{.MemUsage}}',
    ...ids,
  ]);
  const units: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: MIB, GiB: 2 ** 30 };
  const out = new Map<string, number>();
  for (const line of stdout.trim().split('\n')) {
    const m = /^(\S+) ([\d.]+)(B|KiB|MiB|GiB) \//.exec(line);
    if (m) out.set(m[1] as string, Number(m[2]) * (units[m[3] as string] ?? 1));
  }
  return out;
}

afterAll(async () => {
  await lite('--profile', 'headless', 'down', '-v', '--remove-orphans', '--timeout', '5').catch(() => {});
});

describe('the lite profile', () => {
  it('runs one broker and no Kafka UI, and every point acknowledged at 1 000 points/s reaches InfluxDB', {
    timeout: 360_000,
  }, async () => {
    const upStart = Date.now();
    await lite('up', '-d', '--wait', '--wait-timeout', '240');
    const healthyMs = Date.now() - upStart;
    const services = (await lite('ps', '--format', '{{.Service}}')).trim().split('\n').sort();
    expect(services).toEqual(['influxdb', 'kafka-1', 'telegraf']);

    const prefix = `lite${Date.now().toString(36)}-`;
    const since = new Date().toISOString();
    const producer = createProducer({
      sink: createKafkaSink({ brokers: [`localhost:${ports.KAFKA_1_PORT}`], topic: 'random-walks' }),
      params: { walks: 50, rate: 20, seed: 3 },
      walkIdPrefix: prefix,
      // The lite topic: one replica, one in sync.
      topic: { topic: 'random-walks', replicationFactor: 1, minInsyncReplicas: 1 },
    });
    await producer.start();
    await waitUntil(
      '10 000 points acknowledged',
      async () => producer.metrics().pointsProduced,
      (n) => n >= 10_000,
      60_000,
      250,
    );
    const memory = await memoryByService();
    await waitUntil(
      '20 000 points acknowledged',
      async () => producer.metrics().pointsProduced,
      (n) => n >= 20_000,
      60_000,
      250,
    );
    const report = await producer.stop();
    expect(report.undelivered).toBe(0);

    const query = new InfluxDB({
      url: `http://127.0.0.1:${ports.INFLUXDB_PORT}`,
      token: stackEnv.influxToken,
      timeout: 30_000,
    }).getQueryApi(stackEnv.influxOrg);
    const stored = await waitUntil(
      `InfluxDB holds the ${report.pointsProduced} acknowledged points`,
      async () => {
        const rows = await query.collectRows<{ _value: number }>(`import "strings"
from(bucket: "${stackEnv.influxBucket}") |> range(start: ${since})
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "seq" and strings.hasPrefix(v: r.walk, prefix: "${prefix}"))
  |> group() |> count()`);
        return Number(rows[0]?._value ?? 0);
      },
      (n) => n >= report.pointsProduced,
      120_000,
      1_000,
    );
    expect(stored).toBe(report.pointsProduced);
    const total = [...memory.values()].reduce((a, b) => a + b, 0);
    console.log(
      `[lite] healthy in ${(healthyMs / 1000).toFixed(1)} s; memory at 1 000 points/s ${(total / MIB).toFixed(0)} MiB ` +
        `(${[...memory].map(([n, b]) => `${n.replace(`${project}-`, '')} ${(b / MIB).toFixed(0)}`).join(', ')}; Grafana not run here); ` +
        `${stored} of ${report.pointsProduced} points stored`,
    );
  });
});
