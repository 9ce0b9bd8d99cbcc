/**
 * What every fault scenario needs: a producer at a steady rate that remembers each point Kafka
 * acknowledged, by (walk, seq); the exact-set checks against Kafka and InfluxDB; the cluster's ISR;
 * and a place to print the figures each scenario measures.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { createKafkaSink, createProducer, type RecordSink, type WalkProducer } from '@walkstream/producer';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import { compose, flux, kafka, repoDir, runId, stackEnv, storedPerWalk, waitUntil } from '../stack/stack-env';

export const TOPIC = 'random-walks';
export const PARTITIONS = 6;
const LINE = /^random_walk,walk=(\S+) value=[^,]+,seq=(\d+)i \d+$/;

export interface TrackedProducer {
  producer: WalkProducer;
  prefix: string;
  /** Points acknowledged by Kafka (acks=all) so far. */
  acked(): number;
  /** Milliseconds since the last acknowledgement (0 before the first). */
  sinceLastAckMs(): number;
  /** The longest time between two acknowledgements since `from` (ms since epoch). */
  longestStallMs(from?: number): number;
  /** When each send holding points of `partition` was acknowledged (ms since epoch, ascending). */
  ackTimes(partition: number): readonly number[];
  /** The Kafka partition a walk's points go to. */
  partitionOf(walk: string): number;
  /** Acknowledged points per walk: every seq 0..n-1 once, else an error naming the first gap. */
  ackedPerWalk(): Map<string, number>;
  /** Stops the producer, flushing what it holds, and returns the final acknowledged count. */
  stop(): Promise<number>;
}

/** Starts the real producer (kafkajs sink, idempotent, acks=all) at walks × rate points/s. */
export async function startTrackedProducer(
  scenario: string,
  walks = 10,
  rate = 200,
): Promise<TrackedProducer> {
  const prefix = `${runId}-${scenario}-`;
  const seqs = new Map<string, Set<number>>();
  const ackTimes: number[] = [];
  const ackTimesByPartition = new Map<number, number[]>();
  let count = 0;
  const inner = createKafkaSink({ brokers: stackEnv.brokers, topic: TOPIC });
  const partitionOf = (walk: string) => inner.partitionOf?.(walk) ?? 0;
  const sink: RecordSink = {
    ...inner,
    async send(records, onRetry) {
      await inner.send(records, onRetry);
      const now = Date.now();
      ackTimes.push(now);
      for (const partition of new Set(records.map((r) => partitionOf(r.key)))) {
        const times = ackTimesByPartition.get(partition) ?? [];
        times.push(now);
        ackTimesByPartition.set(partition, times);
      }
      for (const line of records.flatMap((r) => r.value.split('\n'))) {
        const m = LINE.exec(line);
        if (!m) throw new Error(`unexpected line on the wire: ${line}`);
        const set = seqs.get(m[1] as string) ?? new Set<number>();
        const seq = Number(m[2]);
        if (set.has(seq)) throw new Error(`the producer acknowledged ${m[1]}/${seq} twice`);
        set.add(seq);
        seqs.set(m[1] as string, set);
        count++;
      }
    },
  };
  const producer = createProducer({
    sink,
    params: { walks, rate, volatility: 1, seed: 7 },
    walkIdPrefix: prefix,
    topic: { topic: TOPIC },
  });
  await producer.start();
  return {
    producer,
    prefix,
    acked: () => count,
    sinceLastAckMs: () => (ackTimes.length ? Date.now() - (ackTimes.at(-1) as number) : 0),
    longestStallMs(from = 0) {
      let longest = 0;
      let prev = from;
      for (const t of ackTimes) {
        if (t < from) continue;
        longest = Math.max(longest, t - prev);
        prev = t;
      }
      return longest;
    },
    ackTimes: (partition) => ackTimesByPartition.get(partition) ?? [],
    partitionOf,
    ackedPerWalk() {
      const perWalk = new Map<string, number>();
      for (const [walk, set] of seqs) {
        for (let s = 0; s < set.size; s++) {
          if (!set.has(s)) throw new Error(`acknowledged points of ${walk} have a gap at seq ${s}`);
        }
        perWalk.set(walk, set.size);
      }
      return perWalk;
    },
    async stop() {
      // After an outage the producer holds a backlog; let Kafka take it before stopping, so the
      // stop's flush timeout measures nothing but a stuck cluster.
      await waitUntil(
        'the producer catches up with its backlog',
        async () => producer.metrics().queuedPoints,
        (queued) => queued <= walks * 50,
        180_000,
        250,
      );
      const report = await producer.stop();
      if (report.undelivered)
        throw new Error(`the producer stopped with ${report.undelivered} points undelivered`);
      return count;
    },
  };
}

/**
 * Waits until at least `points` more points have been acknowledged; on timeout the error carries
 * the producer's own view (errors, last error, queue) to tell a stuck producer from a stuck cluster.
 */
export async function waitForAcks(p: TrackedProducer, points: number, timeoutMs = 60_000): Promise<void> {
  const target = p.acked() + points;
  try {
    await waitUntil(
      `${points} more points acknowledged`,
      async () => p.acked(),
      (n) => n >= target,
      timeoutMs,
      100,
    );
  } catch (err) {
    const m = p.producer.metrics();
    throw new Error(
      `${(err as Error).message}; producer state ${p.producer.state}, ${m.errors} failed sends, ` +
        `last error ${m.lastError?.code}: ${m.lastError?.message}, ${m.queuedPoints} points queued`,
    );
  }
}

/** How long a fault lasts: the scenario's own duration, not a wait for readiness. */
export const holdFaultFor = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The topic's end offset per partition: where a scenario's messages start. */
export async function endOffsets(): Promise<Map<number, bigint>> {
  const admin = kafka('walkstream-faults').admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads the topic between two sets of offsets and counts how often each (walk, seq) of `prefix`
 * was written: anything above 1 is a duplicate in Kafka itself. `outOfOrder` names the walks whose
 * steps do not rise in offset order (a walk's points all sit in one partition, in order).
 */
export async function kafkaDuplicates(
  prefix: string,
  from: Map<number, bigint>,
  to: Map<number, bigint>,
): Promise<{ points: number; duplicates: string[]; outOfOrder: string[] }> {
  const seen = new Map<string, number>();
  const lastSeq = new Map<string, number>();
  const outOfOrder = new Set<string>();
  const remaining = new Set([...to].filter(([p, end]) => end > (from.get(p) ?? 0n)).map(([p]) => p));
  if (remaining.size === 0) return { points: 0, duplicates: [], outOfOrder: [] };
  const consumer = kafka('walkstream-faults-reader').consumer({
    groupId: `walkstream-faults-${runId}-${Date.now()}`,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const end = to.get(batch.partition) ?? 0n;
          for (const message of batch.messages) {
            if (BigInt(message.offset) >= end) break;
            for (const line of (message.value?.toString() ?? '').split('\n')) {
              const m = LINE.exec(line);
              if (!m || !(m[1] as string).startsWith(prefix)) continue;
              const key = `${m[1]}/${m[2]}`;
              seen.set(key, (seen.get(key) ?? 0) + 1);
              const seq = Number(m[2]);
              if (seq <= (lastSeq.get(m[1] as string) ?? -1)) outOfOrder.add(m[1] as string);
              lastSeq.set(m[1] as string, seq);
            }
          }
          if (BigInt(batch.lastOffset()) + 1n >= end) {
            remaining.delete(batch.partition);
            if (remaining.size === 0) resolve();
          }
        },
      });
    });
    for (const [partition, offset] of from) {
      consumer.seek({ topic: TOPIC, partition, offset: offset.toString() });
    }
    await Promise.race([
      done,
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`reading the topic back: partitions ${[...remaining]} not read in 60 s`)),
          60_000,
        ),
      ),
    ]);
  } finally {
    await consumer.disconnect();
  }
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
  return { points: seen.size, duplicates, outOfOrder: [...outOfOrder] };
}

/** Points of `prefix` stamped in [startIso, stopIso), counted in InfluxDB. */
export async function storedBetween(prefix: string, startIso: string, stopIso: string): Promise<number> {
  const rows = await flux<{ _value: number }>(`import "strings"
from(bucket: "${stackEnv.influxBucket}")
  |> range(start: ${startIso}, stop: ${stopIso})
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "seq" and strings.hasPrefix(v: r.walk, prefix: "${prefix}"))
  |> group()
  |> count()`);
  return Number(rows[0]?._value ?? 0);
}

export async function storedTotal(prefix: string, sinceIso: string): Promise<number> {
  return (await storedPerWalk(prefix, sinceIso)).reduce((a, s) => a + s.count, 0);
}

/** What InfluxDB holds of a tracked producer's acknowledged points, measured (never assumed). */
export interface ExactSetResult {
  /** Differences from the exact set (every seq 0..n-1 of every walk, once): empty when exact. */
  mismatches: string[];
  waitedMs: number;
  acknowledged: number;
  /** Distinct (walk, seq) stored. */
  stored: number;
  /** Acknowledged points InfluxDB does not hold. */
  lost: number;
  /** Stored rows beyond one per (walk, seq): the same point written at two timestamps. */
  duplicates: number;
}

/**
 * Waits until InfluxDB holds as many points of `prefix` as were acknowledged, then compares what it
 * holds with the exact set and counts what is lost or duplicated.
 */
export async function waitForExactSet(
  producer: TrackedProducer,
  sinceIso: string,
  timeoutMs = 120_000,
): Promise<ExactSetResult> {
  const expected = producer.ackedPerWalk();
  const total = [...expected.values()].reduce((a, n) => a + n, 0);
  const t0 = Date.now();
  await waitUntil(
    `InfluxDB holds the ${total} acknowledged points of ${producer.prefix}*`,
    () => storedTotal(producer.prefix, sinceIso),
    (n) => n >= total,
    timeoutMs,
    1_000,
  ).catch(() => {}); // what is missing is counted below, and the caller's expectation fails on it
  const waitedMs = Date.now() - t0;
  const storedList = await storedPerWalk(producer.prefix, sinceIso);
  const stored = new Map(storedList.map((s) => [s.walk, s]));
  const mismatches: string[] = [];
  let lost = 0;
  for (const [walk, n] of expected) {
    const s = stored.get(walk);
    lost += Math.max(0, n - (s?.distinct ?? 0));
    if (!s) mismatches.push(`${walk}: none stored, ${n} acknowledged`);
    else if (s.count !== n || s.distinct !== n || s.min !== 0 || s.max !== n - 1)
      mismatches.push(`${walk}: acknowledged seq 0..${n - 1}, stored ${JSON.stringify(s)}`);
  }
  for (const walk of stored.keys())
    if (!expected.has(walk)) mismatches.push(`${walk}: stored, never acknowledged`);
  return {
    mismatches,
    waitedMs,
    acknowledged: total,
    stored: storedList.reduce((a, s) => a + s.distinct, 0),
    lost,
    duplicates: storedList.reduce((a, s) => a + (s.count - s.distinct), 0),
  };
}

/** Partitions of the data topic whose ISR is smaller than their replica list. */
export async function underReplicated(admin: Admin): Promise<number> {
  const meta = await admin.fetchTopicMetadata({ topics: [TOPIC] });
  return (meta.topics[0]?.partitions ?? []).filter((p) => p.isr.length < p.replicas.length).length;
}

/** Brokers leading at least one partition of the data topic. */
export async function leaders(admin: Admin): Promise<number[]> {
  const meta = await admin.fetchTopicMetadata({ topics: [TOPIC] });
  return [...new Set((meta.topics[0]?.partitions ?? []).map((p) => p.leader))].sort();
}

/** Brings every pipeline service back (after a failed scenario), waiting until all are healthy. */
export async function restoreStack(): Promise<void> {
  await compose('unpause', 'telegraf').catch(() => {});
  await compose('up', '-d', '--wait', '--wait-timeout', '180');
}

/** What a fault suite's tests share: one admin client, and the producer a failed test may leave running. */
export interface FaultSuite {
  admin: Admin;
  running: TrackedProducer | undefined;
}

/**
 * Registers the suite's setup and cleanup: connects the admin client; afterwards stops a producer a
 * failed test left running and brings every service back, so the next suite starts on a whole stack.
 */
export function faultSuite(): FaultSuite {
  const suite = { running: undefined } as FaultSuite;
  beforeAll(async () => {
    suite.admin = kafka('walkstream-faults-admin').admin();
    await suite.admin.connect();
  });
  afterAll(async () => {
    await suite.running?.producer.stop().catch(() => {});
    await suite.admin?.disconnect();
    await restoreStack();
  });
  return suite;
}

export async function influxHealthy(): Promise<boolean> {
  // Bounded: a connection made while InfluxDB restarts can hang instead of being refused.
  const res = await fetch(`${stackEnv.influxUrl}/health`, { signal: AbortSignal.timeout(2_000) }).catch(
    () => null,
  );
  return res?.status === 200;
}

/** Prints a scenario's figures and appends them to test-results/faults.jsonl for the README. */
export function report(scenario: string, figures: Record<string, number | string>): void {
  const line = Object.entries(figures)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 10) / 10 : v}`)
    .join(' ');
  console.log(`[faults] ${scenario}: ${line}`);
  mkdirSync(`${repoDir}test-results`, { recursive: true });
  appendFileSync(
    `${repoDir}test-results/faults.jsonl`,
    `${JSON.stringify({ scenario, at: new Date().toISOString(), ...figures })}\n`,
  );
}
