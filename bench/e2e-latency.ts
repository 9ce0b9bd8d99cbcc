/**
 * npm run bench:e2e — event time → queryable in InfluxDB, at a steady rate (default 5 000 points/s).
 * Runs inside tests/stack/with-stack.sh, which brings the stack up and exports its addresses.
 *
 * Method: the producer stamps each point with its event time (ns). A poller asks InfluxDB every
 * POLL_MS for points newer than the last one it has seen; a point's latency is the time of the
 * first poll that returned it minus its event time. Resolution is therefore ±POLL_MS/2, plus the
 * query's own duration (reported).
 */
import { InfluxDB } from '@influxdata/influxdb-client';
import { createKafkaSink } from '../producer/src/kafka-sink';
import { createProducer } from '../producer/src/producer';

const RATE = Number(process.env.BENCH_RATE ?? 5_000); // points/s
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 100);
const WALKS = 50;

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this through npm run bench:e2e`);
  return v;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

async function main(): Promise<void> {
  const bucket = env('INFLUX_BUCKET');
  const query = new InfluxDB({ url: env('INFLUX_URL'), token: env('INFLUX_TOKEN') }).getQueryApi(
    env('INFLUX_ORG'),
  );
  const prefix = `lat${Date.now().toString(36)}-`;
  const producer = createProducer({
    sink: createKafkaSink({ brokers: env('KAFKA_BROKERS').split(','), topic: 'random-walks' }),
    params: { walks: WALKS, rate: RATE / WALKS },
    walkIdPrefix: prefix,
    durationMs: SECONDS * 1000,
  });
  const latenciesMs: number[] = [];
  const queryMs: number[] = [];
  let lastSeenNs = BigInt(Date.now() - 5_000) * 1_000_000n;
  let producing = true;
  const stopped = new Promise<void>((resolve) =>
    producer.on('state', (s) => {
      if (s === 'stopped') {
        producing = false;
        resolve();
      }
    }),
  );
  await producer.start();
  const drainUntil = () => (producing ? Number.POSITIVE_INFINITY : Date.now() + 5_000);
  let deadline = Number.POSITIVE_INFINITY;
  while (Date.now() < deadline) {
    const t0 = Date.now();
    const rows = await query.collectRows<{ _time: string }>(`import "strings"
from(bucket: "${bucket}")
  |> range(start: time(v: ${lastSeenNs + 1n}))
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "seq" and strings.hasPrefix(v: r.walk, prefix: "${prefix}"))
  |> group()
  |> map(fn: (r) => ({_value: string(v: int(v: r._time))}))`);
    const seenAtMs = Date.now();
    queryMs.push(seenAtMs - t0);
    for (const row of rows as unknown as { _value: string }[]) {
      const ns = BigInt(row._value);
      if (ns > lastSeenNs) lastSeenNs = ns;
      latenciesMs.push(seenAtMs - Number(ns / 1_000_000n));
    }
    if (deadline === Number.POSITIVE_INFINITY && !producing) deadline = drainUntil();
    await new Promise((r) => setTimeout(r, Math.max(0, POLL_MS - (Date.now() - t0))));
  }
  await stopped;
  const m = producer.metrics();
  latenciesMs.sort((a, b) => a - b);
  queryMs.sort((a, b) => a - b);
  console.log(
    `event → queryable at ${RATE.toLocaleString('en-US')} points/s for ${SECONDS} s: ` +
      `p50 ${percentile(latenciesMs, 0.5)} ms, p99 ${percentile(latenciesMs, 0.99)} ms, max ${latenciesMs.at(-1)} ms ` +
      `(${latenciesMs.length.toLocaleString('en-US')} of ${m.pointsProduced.toLocaleString('en-US')} points seen; ` +
      `poll every ${POLL_MS} ms, query p50 ${percentile(queryMs, 0.5)} ms)`,
  );
  if (latenciesMs.length !== m.pointsProduced) {
    console.log(
      `WARNING: ${m.pointsProduced - latenciesMs.length} points were not seen within 5 s after the run`,
    );
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
