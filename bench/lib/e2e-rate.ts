/**
 * Event time → queryable in InfluxDB at one steady rate, through the real pipeline (producer →
 * random-walks → Telegraf → InfluxDB), with an exact count at the end.
 *
 * Method: the producer stamps every point of a tick with the tick's event time; an injected clock
 * remembers it per tick, and since every walk's seq is its tick number, seq s of any walk has the
 * event time of tick s. Every pollMs a poller asks InfluxDB for the newest seq of each walk
 * (`last()`, cheap). Each walk is one Kafka key, so its points arrive in order: when the newest seq
 * of a walk moves from a to b, points a+1..b became queryable at that poll. Latency = time the
 * poll's answer arrived − event time: an upper bound, with one poll interval plus the query's
 * own duration as resolution (both reported).
 */

import { type Clock, createKafkaSink, createProducer, systemClock } from '@walkstream/producer';
import { percentile, sleep } from './stats';

export type FluxRunner = <T>(query: string) => Promise<T[]>;

export interface RateRunOptions {
  brokers: string[];
  bucket: string;
  flux: FluxRunner;
  /** Points per second asked: walks × ticks/s. */
  rate: number;
  walks: number;
  seconds: number;
  pollMs?: number;
  /** How long after the producer stopped every point must be queryable. */
  drainSeconds?: number;
  /** p99 latency above this is "not bounded": the pipeline is falling behind. */
  maxP99Ms?: number;
  /** Called once half-way through the run (e.g. to sample container memory under load). */
  midRun?: () => Promise<void>;
}

export interface RateRun {
  rate: number;
  walks: number;
  seconds: number;
  generated: number;
  produced: number;
  ticksSkipped: number;
  /** Points acknowledged by Kafka per second of the run. */
  deliveredPerSecond: number;
  /** Points seen by the poller (each (walk, seq) once). */
  queryable: number;
  /** Points counted in InfluxDB after the run, and whether every walk had exactly seq 0..n-1. */
  counted: number;
  countExact: boolean;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  queryP50Ms: number;
  pollIntervalP99Ms: number;
  /** From the producer's stop to the last point queryable; NaN if not all were within the drain time. */
  drainMs: number;
  sustainable: boolean;
  /** Why not sustainable (empty when it is). */
  reasons: string[];
}

export async function runAtRate(opts: RateRunOptions): Promise<RateRun> {
  const pollMs = opts.pollMs ?? 100;
  const drainSeconds = opts.drainSeconds ?? 10;
  const maxP99Ms = opts.maxP99Ms ?? 5_000;
  const prefix = `r${opts.rate}x${Date.now().toString(36)}-`;
  const base = systemClock();
  const tickEventMs: number[] = [];
  const clock: Clock = {
    monoMs: base.monoMs,
    epochNs: () => {
      const ns = base.epochNs();
      tickEventMs.push(Number(ns / 1_000n) / 1_000);
      return ns;
    },
  };
  const producer = createProducer({
    sink: createKafkaSink({ brokers: opts.brokers, topic: 'random-walks' }),
    params: { walks: opts.walks, rate: opts.rate / opts.walks },
    walkIdPrefix: prefix,
    durationMs: opts.seconds * 1000,
    clock,
  });
  let stoppedAt = Number.POSITIVE_INFINITY;
  const stopped = new Promise<void>((resolve) =>
    producer.on('state', (s) => {
      if (s === 'stopped') {
        stoppedAt = Date.now();
        resolve();
      }
    }),
  );
  // Only the data not seen yet is read: a walk's points arrive in order, so nothing new is older
  // than the newest point already seen of the walk furthest behind. Reading the whole run on every
  // poll would load InfluxDB more and more as the run goes on, and measure the poller.
  const lastSeqQuery = (sinceMs: number) => `from(bucket: "${opts.bucket}")
  |> range(start: ${new Date(sinceMs).toISOString()})
  |> filter(fn: (r) => r._measurement == "random_walk" and r.walk =~ /^${prefix}/ and r._field == "seq")
  |> last()`;
  const latencies: number[] = [];
  const queryMs: number[] = [];
  const pollGaps: number[] = [];
  const newest = new Map<string, number>();
  let lastSeenAll = Number.NaN;
  await producer.start();
  const startedAt = Date.now();
  const mid = sleep((opts.seconds * 1000) / 2)
    .then(() => opts.midRun?.())
    .catch((err) => console.warn(`mid-run hook failed: ${(err as Error).message}`));
  let lastPoll = 0;
  for (;;) {
    const t0 = Date.now();
    if (lastPoll) pollGaps.push(t0 - lastPoll);
    lastPoll = t0;
    const behind = newest.size < opts.walks ? -1 : Math.min(...newest.values());
    const sinceMs = behind < 0 ? startedAt - 1_000 : (tickEventMs[behind] as number);
    const rows = await opts.flux<{ walk: string; _value: number }>(lastSeqQuery(sinceMs)).catch(() => []);
    const seenAt = Date.now();
    queryMs.push(seenAt - t0);
    for (const { walk, _value: seq } of rows) {
      const from = (newest.get(walk) ?? -1) + 1;
      for (let s = from; s <= seq; s++) latencies.push(seenAt - (tickEventMs[s] as number));
      if (seq >= from) newest.set(walk, seq);
    }
    const m = producer.metrics();
    if (producer.state === 'stopped') {
      if (latencies.length >= m.pointsGenerated) {
        lastSeenAll = seenAt;
        break;
      }
      if (seenAt > stoppedAt + drainSeconds * 1000) break;
    }
    await sleep(Math.max(0, pollMs - (Date.now() - t0)));
  }
  await stopped;
  await mid;
  const m = producer.metrics();
  const ticks = m.pointsGenerated / opts.walks;
  const [counts, maxima] = await Promise.all(
    ['count()', 'max()'].map((agg) =>
      opts.flux<{ walk: string; _value: number }>(`from(bucket: "${opts.bucket}")
  |> range(start: -1h)
  |> filter(fn: (r) => r._measurement == "random_walk" and r.walk =~ /^${prefix}/ and r._field == "seq")
  |> ${agg}`),
    ),
  );
  const counted = (counts ?? []).reduce((a, r) => a + r._value, 0);
  const countExact =
    counted === m.pointsGenerated &&
    (counts ?? []).length === opts.walks &&
    (counts ?? []).every((r) => r._value === ticks) &&
    (maxima ?? []).every((r) => r._value === ticks - 1);
  latencies.sort((a, b) => a - b);
  queryMs.sort((a, b) => a - b);
  pollGaps.sort((a, b) => a - b);
  const run: RateRun = {
    rate: opts.rate,
    walks: opts.walks,
    seconds: opts.seconds,
    generated: m.pointsGenerated,
    produced: m.pointsProduced,
    ticksSkipped: m.ticksSkipped,
    deliveredPerSecond: m.pointsProduced / ((stoppedAt - startedAt) / 1000),
    queryable: latencies.length,
    counted,
    countExact,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
    queryP50Ms: percentile(queryMs, 0.5),
    pollIntervalP99Ms: percentile(pollGaps, 0.99),
    drainMs: lastSeenAll - stoppedAt,
    sustainable: false,
    reasons: [],
  };
  run.reasons = unsustainableReasons(run, drainSeconds, maxP99Ms);
  run.sustainable = run.reasons.length === 0;
  return run;
}

function unsustainableReasons(r: RateRun, drainSeconds: number, maxP99Ms: number): string[] {
  const reasons: string[] = [];
  if (r.ticksSkipped > 0) reasons.push(`producer skipped ${r.ticksSkipped} ticks`);
  if (r.generated < 0.99 * r.rate * r.seconds) reasons.push('producer generated < 99% of the asked points');
  if (r.produced !== r.generated)
    reasons.push(`${r.generated - r.produced} points not acknowledged by Kafka`);
  if (!(r.drainMs <= drainSeconds * 1000))
    reasons.push(`not all points queryable ${drainSeconds} s after the end`);
  if (!r.countExact) reasons.push(`count mismatch: ${r.counted} in InfluxDB, ${r.generated} generated`);
  if (!(r.p99Ms <= maxP99Ms)) reasons.push(`p99 latency ${Math.round(r.p99Ms)} ms > ${maxP99Ms} ms`);
  return reasons;
}
