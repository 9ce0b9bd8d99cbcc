/**
 * One steady rate through the real pipeline (producer → random-walks → Telegraf → InfluxDB):
 * points stored per second, event → queryable latency, Telegraf's backlog trend, an exact count at
 * the end and, optionally, the CPU each stage spent per point stored.
 *
 * Latency: the producer stamps every point of a tick with the tick's event time, and every walk's
 * seq is its tick number (tick-times.ts records each stamp). Every pollMs a poller asks InfluxDB
 * for the newest point of each walk (`last()`, cheap). Each walk is one Kafka key, so its points
 * arrive in order: when the newest seq of a walk moves from a to b, points a+1..b became queryable
 * at that poll. Latency = time the poll's answer arrived − the point's own timestamp (b's `_time`
 * as stored; a+1..b−1 by the recorded stamps, which b's `_time` cross-checks): an upper bound, with
 * one poll interval plus the query's own duration as resolution (both reported).
 */

import {
  createKafkaSink,
  createProducer,
  type ProducerOptions,
  type RecordSink,
  systemClock,
} from '@walkstream/producer';
import { type LagProbe, waitForDrain } from './consumer-lag';
import { type CpuMeter, type CpuPerPoint, type CpuSnapshot, cpuPerPoint } from './cpu-usage';
import { pointsInMessage } from './producer-throughput';
import { everyInterval, percentile, sleep } from './stats';
import {
  type LagSample,
  type LagTrend,
  lagSlopeLimit,
  lagTrend,
  type SustainabilityLimits,
  unsustainableReasons,
} from './sustainability';
import { recordTickTimes, rfc3339ToMs } from './tick-times';

export type FluxRunner = <T>(query: string) => Promise<T[]>;

export interface RateRunOptions {
  brokers: string[];
  bucket: string;
  flux: FluxRunner;
  /** Telegraf's consumer lag: the run waits for it to reach 0 first, then samples its trend. */
  lag: LagProbe;
  /** Points per second asked: walks × ticks/s. */
  rate: number;
  walks: number;
  seconds: number;
  pollMs?: number;
  lagSampleMs?: number;
  /** How long after the producer stopped every point must be queryable. */
  drainSeconds?: number;
  /** Longest wait for the previous run's backlog to drain before this one starts. */
  drainBeforeSeconds?: number;
  /** Backlog growth allowed, as a fraction of the rate. */
  maxLagSlopeFraction?: number;
  /** The pipeline's own p99 at a light load; the drain beyond it counts as backlog left (sustainability.ts). */
  baselineLatencyMs?: number;
  /** When given, the CPU of each stage is read at the start and when the last point is stored. */
  cpu?: { meter: CpuMeter; machineCores: number };
  /** Called once half-way through the run (e.g. to sample container memory under load). */
  midRun?: () => Promise<void>;
  /** Producer settings other than the defaults (the levers section undoes one at a time). */
  producer?: Pick<ProducerOptions, 'maxPointsPerMessage' | 'lingerMs'>;
}

export interface RateRun {
  rate: number;
  walks: number;
  seconds: number;
  /** How long the run waited for Telegraf's backlog to reach 0 before starting. */
  drainWaitMs: number;
  generated: number;
  produced: number;
  ticksSkipped: number;
  /** Most the producer's generation fell behind its tick schedule, sampled at each poll. */
  producerLagMaxMs: number;
  /** Points acknowledged by Kafka per second of the producer's run. */
  deliveredPerSecond: number;
  /**
   * Points counted in InfluxDB ÷ time from the first tick to when the last of them was queryable
   * (if that took longer than the drain time: to when the backlog had drained and they were counted).
   */
  storedPerSecond: number;
  storedWindowMs: number;
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
  /** Newest points whose stored `_time` did not match the recorded stamp of their tick (want 0). */
  stampMismatches: number;
  /** From the producer's stop to the last point queryable; NaN if not all were within the drain time. */
  drainMs: number;
  lagTrend: LagTrend;
  /** The backlog growth (points/s) above which the rate is not sustainable. */
  lagSlopeLimit: number;
  cpu?: CpuPerPoint;
  sustainable: boolean;
  /** Why not sustainable (empty when it is). */
  reasons: string[];
}

/** The sink, counting what it sent: messages carry several points of a walk under load. */
function countingSink(sink: RecordSink, sent: { messages: number; points: number }): RecordSink {
  return {
    ...sink,
    send: async (records, onRetry) => {
      await sink.send(records, onRetry);
      sent.messages += records.length;
      for (const r of records) sent.points += pointsInMessage(r.value);
    },
  };
}

export async function runAtRate(opts: RateRunOptions): Promise<RateRun> {
  const pollMs = opts.pollMs ?? 100;
  const lagSampleMs = opts.lagSampleMs ?? 100;
  const limits: SustainabilityLimits = {
    drainSeconds: opts.drainSeconds ?? 10,
    maxLagSlopeFraction: opts.maxLagSlopeFraction ?? 0.01,
    baselineLatencyMs: opts.baselineLatencyMs,
  };
  const drainBeforeMs = (opts.drainBeforeSeconds ?? 300) * 1000;
  const drained = await waitForDrain(opts.lag, drainBeforeMs);
  const prefix = `r${opts.rate}x${Date.now().toString(36)}-`;
  const ticks = recordTickTimes(systemClock());
  const sent = { messages: 0, points: 0 };
  const producer = createProducer({
    sink: countingSink(createKafkaSink({ brokers: opts.brokers, topic: 'random-walks' }), sent),
    params: { walks: opts.walks, rate: opts.rate / opts.walks },
    walkIdPrefix: prefix,
    durationMs: opts.seconds * 1000,
    clock: ticks.clock,
    ...opts.producer,
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
  let queryable = 0;
  let stampMismatches = 0;
  let producerLagMaxMs = 0;
  let lastSeenAll = Number.NaN;
  await producer.start();
  const cpuBefore: CpuSnapshot | undefined = await opts.cpu?.meter.snapshot();
  const startedAt = Date.now();
  const mid = sleep((opts.seconds * 1000) / 2)
    .then(() => opts.midRun?.())
    .catch((err) => console.warn(`mid-run hook failed: ${(err as Error).message}`));
  // The trend is the backlog's while points are generated; the drain after that is judged apart.
  const lagSamples = sampleLag(opts.lag, startedAt, lagSampleMs, () => producer.state !== 'running');
  let lastPoll = 0;
  await everyInterval(pollMs, async () => {
    const t0 = Date.now();
    if (lastPoll) pollGaps.push(t0 - lastPoll);
    lastPoll = t0;
    const behind = newest.size < opts.walks ? -1 : Math.min(...newest.values());
    const sinceMs = ticks.ms[behind] ?? startedAt - 1_000;
    const rows = await opts
      .flux<{ walk: string; _value: number; _time: string }>(lastSeqQuery(sinceMs))
      .catch(() => []);
    const seenAt = Date.now();
    queryMs.push(seenAt - t0);
    for (const { walk, _value: seq, _time } of rows) {
      const from = (newest.get(walk) ?? -1) + 1;
      if (seq < from) continue;
      const storedMs = rfc3339ToMs(_time);
      const recordedMs = ticks.ms[seq];
      // µs-truncated record vs ns-precise stored time: equal within a few µs when they are one stamp.
      if (recordedMs === undefined || !(Math.abs(recordedMs - storedMs) <= 0.005)) stampMismatches++;
      for (let s = from; s < seq; s++) {
        const at = ticks.ms[s];
        if (at !== undefined) latencies.push(seenAt - at);
      }
      if (Number.isFinite(storedMs)) latencies.push(seenAt - storedMs);
      queryable += seq - from + 1;
      newest.set(walk, seq);
    }
    const m = producer.metrics();
    producerLagMaxMs = Math.max(producerLagMaxMs, m.lagMs);
    if (producer.state === 'stopped') {
      if (queryable >= m.pointsGenerated) {
        lastSeenAll = seenAt;
        return false;
      }
      if (seenAt > stoppedAt + limits.drainSeconds * 1000) return false;
    }
    return true;
  });
  // Points still on their way are late, not lost: the count waits for the backlog to drain, so a
  // shortfall it finds is a loss. Everything it counts was queryable by then, and the CPU that
  // stored it was spent by then.
  let storedBy = lastSeenAll;
  if (Number.isNaN(lastSeenAll)) {
    await waitForDrain(opts.lag, drainBeforeMs).catch(() => {});
    storedBy = Date.now();
  }
  const cpuAfter = await opts.cpu?.meter.snapshot();
  await stopped;
  await mid;
  const m = producer.metrics();
  const tickCount = m.pointsGenerated / opts.walks;
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
    (counts ?? []).every((r) => r._value === tickCount) &&
    (maxima ?? []).every((r) => r._value === tickCount - 1);
  latencies.sort((a, b) => a - b);
  queryMs.sort((a, b) => a - b);
  pollGaps.sort((a, b) => a - b);
  // The window opens at the first tick's stamp, the start of generation, not when start() returned.
  const firstTickAt = ticks.ms[0] ?? startedAt;
  const storedWindowMs = storedBy - firstTickAt;
  const trend = lagTrend(await lagSamples, sent.points / sent.messages, opts.seconds / 5);
  const run: RateRun = {
    rate: opts.rate,
    walks: opts.walks,
    seconds: opts.seconds,
    drainWaitMs: drained.waitedMs,
    generated: m.pointsGenerated,
    produced: m.pointsProduced,
    ticksSkipped: m.ticksSkipped,
    producerLagMaxMs,
    deliveredPerSecond: m.pointsProduced / ((stoppedAt - firstTickAt) / 1000),
    storedPerSecond: counted / (storedWindowMs / 1000),
    storedWindowMs,
    queryable,
    counted,
    countExact,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
    queryP50Ms: percentile(queryMs, 0.5),
    pollIntervalP99Ms: percentile(pollGaps, 0.99),
    stampMismatches,
    drainMs: lastSeenAll - stoppedAt,
    lagTrend: trend,
    lagSlopeLimit: lagSlopeLimit(opts.rate, limits),
    cpu:
      cpuBefore && cpuAfter && opts.cpu
        ? cpuPerPoint(cpuBefore, cpuAfter, counted, opts.cpu.machineCores)
        : undefined,
    sustainable: false,
    reasons: [],
  };
  run.reasons = unsustainableReasons(run, limits);
  run.sustainable = run.reasons.length === 0;
  return run;
}

/** Telegraf's lag every `everyMs` until `done()`, each sample timed at the middle of its request. */
async function sampleLag(
  probe: LagProbe,
  startedAt: number,
  everyMs: number,
  done: () => boolean,
): Promise<LagSample[]> {
  const samples: LagSample[] = [];
  await everyInterval(everyMs, async () => {
    if (done()) return false;
    const t0 = Date.now();
    const messages = await probe.lag().catch(() => undefined);
    const t1 = Date.now();
    if (messages !== undefined) samples.push({ tSec: ((t0 + t1) / 2 - startedAt) / 1000, messages });
    return true;
  });
  return samples;
}
