/**
 * The producer over a partitioned sink: one send lane per partition, so a partition whose broker
 * does not answer holds back its own points only, never two sends to one partition at once.
 */
import { describe, expect, it } from 'vitest';
import { WalkstreamError } from './errors';
import { createProducer } from './producer';
import { nextMetrics, runUntilSkipping, seqOf } from './producer-spec-support';
import type { KeyedRecord, RecordSink } from './record-sink';

/** Walk w0007 goes to partition 7 % partitions; sends touching `stuck` wait until released. */
function partitionedSink(partitions: number, stuck: number | null = null) {
  const points: KeyedRecord[] = [];
  const partitionOf = (key: string) => Number(key.slice(1)) % partitions;
  const inFlight = new Array<number>(partitions).fill(0);
  const stats = { maxInFlightPerPartition: 0, maxInFlightSends: 0, sends: 0 };
  let sendsInFlight = 0;
  let held: { release: () => void; fail: (e: Error) => void }[] = [];
  let stuckPartition = stuck;
  const sink: RecordSink = {
    connect: async () => {},
    ensureTopic: async () => {},
    partitionCount: () => partitions,
    partitionOf,
    async send(batch) {
      const touched = [...new Set(batch.map((m) => partitionOf(m.key)))];
      for (const p of touched) inFlight[p] = (inFlight[p] ?? 0) + 1;
      stats.maxInFlightPerPartition = Math.max(stats.maxInFlightPerPartition, ...inFlight);
      stats.maxInFlightSends = Math.max(stats.maxInFlightSends, ++sendsInFlight);
      stats.sends++;
      try {
        if (stuckPartition !== null && touched.includes(stuckPartition)) {
          await new Promise<void>((release, fail) => held.push({ release, fail }));
        } else {
          // Long enough for sends of several lanes to overlap.
          await new Promise((r) => setTimeout(r, 2));
        }
        for (const m of batch)
          for (const line of m.value.split('\n')) points.push({ key: m.key, value: line });
      } finally {
        for (const p of touched) inFlight[p] = (inFlight[p] ?? 0) - 1;
        sendsInFlight--;
      }
    },
    disconnect: async () => {
      for (const h of held) h.fail(new WalkstreamError('KAFKA_SEND_FAILED', 'disconnected while sending'));
      held = [];
    },
  };
  return {
    sink,
    points,
    stats,
    partitionOf,
    /** The broker answers again: held sends complete, later ones go through at once. */
    recover() {
      stuckPartition = null;
      for (const h of held) h.release();
      held = [];
    },
  };
}

function seqsOf(points: KeyedRecord[], key: string): number[] {
  return points.filter((p) => p.key === key).map((p) => seqOf(p));
}

const walkIds = (n: number) => Array.from({ length: n }, (_, i) => `w${String(i).padStart(4, '0')}`);

describe('createProducer over a partitioned sink', () => {
  it('keeps acknowledging the other partitions while one partition never answers, and reports its points undelivered on stop', async () => {
    const { sink, points, stats, partitionOf } = partitionedSink(3, 1);
    const p = createProducer({
      sink,
      params: { walks: 12, rate: 200 },
      metricsIntervalMs: 10,
      stopTimeoutMs: 100,
    });
    await p.start();
    // 8 of the 12 walks are on the healthy partitions: 8 × 200 points/s, 800 points in ~0.5 s.
    const m = await nextMetrics(p, (x) => x.pointsProduced >= 800);
    expect(m.queuedByPartition).toHaveLength(3);
    expect(m.queuedByPartition[1]).toBeGreaterThanOrEqual(4 * 100);
    const report = await p.stop();

    const stuckWalks = walkIds(12).filter((w) => partitionOf(w) === 1);
    const ticks = report.pointsGenerated / 12;
    expect(points.filter((pt) => stuckWalks.includes(pt.key))).toEqual([]);
    // The healthy lanes were flushed on stop: every point of their walks, once, in order.
    for (const w of walkIds(12).filter((x) => partitionOf(x) !== 1)) {
      expect(seqsOf(points, w)).toEqual(Array.from({ length: ticks }, (_, i) => i));
    }
    expect(report.undelivered).toBe(stuckWalks.length * ticks);
    expect(p.metrics().queuedByPartition).toEqual([0, stuckWalks.length * ticks, 0]);
    expect(stats.maxInFlightPerPartition).toBe(1);
    expect(stats.maxInFlightSends).toBeGreaterThan(1);
  });

  it('sends a stalled partition its points in order once its broker answers again', async () => {
    const { sink, points, stats, recover } = partitionedSink(4, 2);
    const p = createProducer({ sink, params: { walks: 8, rate: 200 }, metricsIntervalMs: 10 });
    await p.start();
    await nextMetrics(p, (x) => x.pointsProduced >= 600 && (x.queuedByPartition[2] ?? 0) >= 200);
    recover();
    await nextMetrics(p, (x) => x.queuedPoints < 8 * 5);
    const report = await p.stop();
    expect(report.undelivered).toBe(0);
    for (const w of walkIds(8)) {
      expect(seqsOf(points, w)).toEqual(Array.from({ length: report.pointsGenerated / 8 }, (_, i) => i));
    }
    expect(stats.maxInFlightPerPartition).toBe(1);
  });

  it('bounds what it holds across all lanes, skipping whole ticks once the stuck lane fills it', async () => {
    const { sink, points, partitionOf } = partitionedSink(3, 0);
    const p = createProducer({
      sink,
      params: { walks: 9, rate: 1_000 },
      maxQueuedPoints: 300,
      maxLagMs: 20,
      metricsIntervalMs: 10,
      stopTimeoutMs: 50,
    });
    const { skipping, maxQueued, report } = await runUntilSkipping(p);
    expect(skipping.queuedPoints).toBeLessThanOrEqual(300);
    expect(maxQueued).toBeLessThanOrEqual(300);
    // Only whole ticks are skipped: every walk of the healthy lanes stays gap-free.
    const ticks = report.pointsGenerated / 9;
    for (const w of walkIds(9).filter((x) => partitionOf(x) !== 0)) {
      expect(seqsOf(points, w)).toEqual(Array.from({ length: ticks }, (_, i) => i));
    }
  });

  it('keeps one lane for a sink without partitions', async () => {
    const points: string[] = [];
    const sink: RecordSink = {
      connect: async () => {},
      ensureTopic: async () => {},
      send: async (batch) => {
        for (const m of batch) points.push(...m.value.split('\n'));
      },
      disconnect: async () => {},
    };
    const p = createProducer({ sink, params: { walks: 3, rate: 100 }, metricsIntervalMs: 10 });
    await p.start();
    const m = await nextMetrics(p, (x) => x.pointsProduced >= 30);
    expect(m.queuedByPartition).toHaveLength(1);
    const report = await p.stop();
    expect(points.length).toBe(report.pointsGenerated);
  });
});
