/**
 * npm run bench:e2e — event time → queryable in InfluxDB, at a steady rate (default 5 000 points/s).
 * Runs inside tests/stack/with-stack.sh, which brings the stack up and exports its addresses.
 *
 * Method: the producer stamps each point with its event time (ns) and the bench remembers it.
 * Every POLL_MS a poller asks InfluxDB for the newest point of each walk (`last()`, cheap). Each
 * walk is one Kafka key, so its points arrive in order: when the newest seq of a walk moves from
 * a to b, points a+1..b became queryable at that poll. Latency = poll time − event time, so its
 * resolution is one poll interval plus the query's own duration (both reported).
 */
import { InfluxDB } from '@influxdata/influxdb-client';
import { createKafkaSink } from '../producer/src/kafka-sink';
import { createProducer } from '../producer/src/producer';
import type { RecordSink } from '../producer/src/record-sink';

const RATE = Number(process.env.BENCH_RATE ?? 5_000); // points/s
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 100);
const WALKS = Number(process.env.BENCH_WALKS ?? 50);

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
  const eventMs = new Map<string, number[]>(); // walk -> event time (ms) by seq
  const kafkaSink = createKafkaSink({ brokers: env('KAFKA_BROKERS').split(','), topic: 'random-walks' });
  const sink: RecordSink = {
    ...kafkaSink,
    send: async (records) => {
      for (const line of records.flatMap((r) => r.value.split('\n'))) {
        const m = /,walk=(\S+) .*,seq=(\d+)i (\d+)$/.exec(line);
        if (!m) continue;
        const times = eventMs.get(m[1] as string) ?? [];
        times[Number(m[2])] = Number(BigInt(m[3] as string) / 1_000_000n);
        eventMs.set(m[1] as string, times);
      }
      await kafkaSink.send(records);
    },
  };
  const producer = createProducer({
    sink,
    params: { walks: WALKS, rate: RATE / WALKS },
    walkIdPrefix: prefix,
    durationMs: SECONDS * 1000,
  });
  const latenciesMs: number[] = [];
  const queryMs: number[] = [];
  const newest = new Map<string, number>(); // walk -> newest seq seen
  let producing = true;
  const stopped = new Promise<void>((resolve) =>
    producer.on('state', (s) => {
      if (s === 'stopped') {
        producing = false;
        resolve();
      }
    }),
  );
  const flux = `from(bucket: "${bucket}")
  |> range(start: -5m)
  |> filter(fn: (r) => r._measurement == "random_walk" and r.walk =~ /^${prefix}/ and r._field == "seq")
  |> last()`;
  await producer.start();
  let deadline = Number.POSITIVE_INFINITY;
  while (Date.now() < deadline) {
    const t0 = Date.now();
    const rows = await query.collectRows<{ walk: string; _value: number }>(flux);
    const seenAtMs = Date.now();
    queryMs.push(seenAtMs - t0);
    for (const { walk, _value: seq } of rows) {
      const from = (newest.get(walk) ?? -1) + 1;
      const times = eventMs.get(walk) ?? [];
      for (let s = from; s <= seq; s++) latenciesMs.push(seenAtMs - (times[s] as number));
      if (seq >= from) newest.set(walk, seq);
    }
    if (deadline === Number.POSITIVE_INFINITY && !producing) deadline = Date.now() + 10_000;
    const produced = producer.metrics().pointsProduced;
    if (!producing && latenciesMs.length >= produced) break;
    await new Promise((r) => setTimeout(r, Math.max(0, POLL_MS - (Date.now() - t0))));
  }
  await stopped;
  const m = producer.metrics();
  latenciesMs.sort((a, b) => a - b);
  queryMs.sort((a, b) => a - b);
  console.log(
    `event → queryable at ${RATE.toLocaleString('en-US')} points/s (${WALKS} walks) for ${SECONDS} s: ` +
      `p50 ${percentile(latenciesMs, 0.5)} ms, p99 ${percentile(latenciesMs, 0.99)} ms, max ${latenciesMs.at(-1)} ms ` +
      `(${latenciesMs.length.toLocaleString('en-US')} of ${m.pointsProduced.toLocaleString('en-US')} points; ` +
      `poll every ${POLL_MS} ms, query p50 ${percentile(queryMs, 0.5)} ms; producer send p99 ${m.sendLatencyMs?.p99 ?? '-'} ms)`,
  );
  if (latenciesMs.length !== m.pointsProduced) {
    console.log(
      `WARNING: ${m.pointsProduced - latenciesMs.length} points were not queryable within 10 s after the run`,
    );
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
