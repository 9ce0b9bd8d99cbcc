import { describe, expect, it } from 'vitest';
import { WalkstreamError } from './errors';
import { createProducer } from './producer';
import { nextMetrics, runUntilSkipping, seqOf } from './producer-spec-support';
import type { KeyedRecord, RecordSink } from './record-sink';

/** An in-memory sink; `delayMs` makes it slower than the schedule, `failures` makes sends throw. */
function memorySink(opts: { delayMs?: number; failures?: number } = {}) {
  const records: KeyedRecord[] = [];
  let failures = opts.failures ?? 0;
  const calls = { connect: 0, send: 0, disconnect: 0 };
  const sink: RecordSink = {
    connect: async () => {
      calls.connect++;
    },
    ensureTopic: async () => {},
    send: async (batch) => {
      calls.send++;
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      if (failures > 0) {
        failures--;
        throw new WalkstreamError('KAFKA_SEND_FAILED', 'simulated broker failure', { retriable: true });
      }
      // Messages may carry several points of one walk: keep one record per point.
      for (const m of batch)
        for (const line of m.value.split('\n')) records.push({ key: m.key, value: line });
    },
    disconnect: async () => {
      calls.disconnect++;
    },
  };
  return { sink, records, calls };
}

function seqsByWalk(records: KeyedRecord[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of records) {
    const seq = seqOf(r);
    const list = out.get(r.key) ?? [];
    list.push(seq);
    out.set(r.key, list);
  }
  return out;
}

function expectContiguousPerWalk(records: KeyedRecord[], walks: number): void {
  const byWalk = seqsByWalk(records);
  expect(byWalk.size).toBe(walks);
  for (const seqs of byWalk.values()) expect(seqs).toEqual(seqs.map((_, i) => i));
}

describe('createProducer', () => {
  it('stamps each tick with the time it was scheduled for, even when generated late', async () => {
    // Wall time = monotonic ms × 1e6: at 10 ticks/s the ticks are due at 0, 100, 200, 300 ms.
    let mono = 0;
    const clock = {
      monoMs: () => mono,
      epochNs: () => BigInt(Math.round(mono * 1e6)),
      epochNsAt: (monoMs: number) => BigInt(Math.round(monoMs * 1e6)),
    };
    const { sink, records } = memorySink();
    const p = createProducer({
      sink,
      params: { walks: 1, rate: 10 },
      clock,
      maxTicks: 4,
      metricsIntervalMs: 1e9,
    });
    await p.start(); // tick 0, due at 0, made at 0
    // The event loop "stalls": when the scheduler runs again it is 350 ms, and ticks 1..3 are late.
    mono = 350;
    while (records.length < 4) await new Promise((r) => setTimeout(r, 5));
    await p.stop();
    const stamps = records.map((r) => Number(r.value.split(' ').at(-1)) / 1e6);
    expect(stamps).toEqual([0, 100, 200, 300]);
  });

  it('delivers every generated point once, in order per walk, and flushes on stop', async () => {
    const { sink, records, calls } = memorySink();
    const p = createProducer({ sink, params: { walks: 4, rate: 200 }, metricsIntervalMs: 20 });
    await p.start();
    await nextMetrics(p, (m) => m.pointsProduced >= 200);
    const report = await p.stop();
    expect(report.undelivered).toBe(0);
    expect(report.pointsProduced).toBe(report.pointsGenerated);
    expect(records.length).toBe(report.pointsGenerated);
    expectContiguousPerWalk(records, 4);
    expect(calls).toMatchObject({ connect: 1, disconnect: 1 });
    expect(p.state).toBe('stopped');
  });

  it('keys each record by its walk id', async () => {
    const { sink, records } = memorySink();
    const p = createProducer({ sink, params: { walks: 3, rate: 100 }, metricsIntervalMs: 20 });
    await p.start();
    await nextMetrics(p, (m) => m.pointsProduced >= 30);
    await p.stop();
    for (const r of records) expect(r.value).toContain(`walk=${r.key} `);
  });

  it('keeps memory bounded and skips ticks when the sink is slower than the schedule', async () => {
    const { sink, records } = memorySink({ delayMs: 100 });
    const p = createProducer({
      sink,
      params: { walks: 1_000, rate: 500 }, // 500 000 points/s asked, ~10 000 points/100 ms possible
      maxQueuedPoints: 5_000,
      maxBatchPoints: 1_000,
      maxLagMs: 200,
      metricsIntervalMs: 50,
    });
    const { skipping, maxQueued, report } = await runUntilSkipping(p, (x) => x.pointsProduced > 0);
    expect(skipping.lagMs).toBeGreaterThan(0);
    // Everything generated and not acknowledged, in flight included.
    expect(maxQueued).toBeLessThanOrEqual(5_000);
    expect(report.undelivered).toBe(0);
    // Skipped ticks are never generated, so each walk's step numbers stay gap-free.
    expectContiguousPerWalk(records, 1_000);
  });

  it('applies setParams on the next tick without reconnecting and keeps the walks', async () => {
    const { sink, records, calls } = memorySink();
    const p = createProducer({
      sink,
      params: { walks: 2, rate: 100, volatility: 0, drift: 0 },
      metricsIntervalMs: 20,
    });
    await p.start();
    await nextMetrics(p, (m) => m.pointsProduced >= 20);
    p.setParams({ drift: 100, walks: 3 });
    await nextMetrics(p, (m) => m.pointsProduced >= 60);
    await p.stop();
    expect(calls.connect).toBe(1);
    const values = (key: string) =>
      records.filter((r) => r.key === key).map((r) => Number(/value=([^,]+)/.exec(r.value)?.[1]));
    const w0 = values('w0000');
    // Constant at 100 until the change, then rising by drift·dt = 1 per tick.
    expect(w0[0]).toBe(100);
    expect(w0.at(-1)).toBeGreaterThan(100);
    expect(new Set(w0.slice(1).map((v, i) => v - (w0[i] as number))).size).toBeLessThanOrEqual(2);
    expect(values('w0002')[0]).toBe(100);
    expectContiguousPerWalk(records, 3);
  });

  it('rejects invalid parameters and keeps producing with the old ones', async () => {
    const { sink, records } = memorySink();
    const p = createProducer({ sink, params: { walks: 2, rate: 100 }, metricsIntervalMs: 20 });
    await p.start();
    await nextMetrics(p, (m) => m.pointsProduced >= 10);
    expect(() => p.setParams({ walks: -1 })).toThrow(/walks: must be from 1 to 10000/);
    expect(p.params.walks).toBe(2);
    const before = p.metrics().pointsProduced;
    await nextMetrics(p, (m) => m.pointsProduced >= before + 10);
    expect(p.state).toBe('running');
    await p.stop();
    expectContiguousPerWalk(records, 2);
  });

  it('retries a failed send without losing or reordering points', async () => {
    const { sink, records } = memorySink({ failures: 3 });
    const p = createProducer({
      sink,
      params: { walks: 2, rate: 100 },
      metricsIntervalMs: 20,
      sendRetryDelayMs: 10,
    });
    const errors: WalkstreamError[] = [];
    p.on('error', (e) => errors.push(e));
    await p.start();
    await nextMetrics(p, (m) => m.pointsProduced >= 40);
    const report = await p.stop();
    expect(errors.map((e) => e.code)).toEqual([
      'KAFKA_SEND_FAILED',
      'KAFKA_SEND_FAILED',
      'KAFKA_SEND_FAILED',
    ]);
    expect(p.metrics().errors).toBe(3);
    expect(report.undelivered).toBe(0);
    expectContiguousPerWalk(records, 2);
  });

  it('reports what could not be delivered when Kafka stays down past the stop timeout', async () => {
    const { sink } = memorySink({ failures: Number.POSITIVE_INFINITY });
    const p = createProducer({
      sink,
      params: { walks: 2, rate: 100 },
      stopTimeoutMs: 200,
      sendRetryDelayMs: 20,
    });
    const codes: string[] = [];
    p.on('error', (e) => codes.push(e.code));
    await p.start();
    await new Promise<void>((resolve) => p.on('error', () => resolve()));
    const report = await p.stop();
    expect(report.undelivered).toBeGreaterThan(0);
    expect(codes).toContain('UNDELIVERED_ON_STOP');
  });

  it('fails to start with the sink error and ends in state "failed"', async () => {
    const sink: RecordSink = {
      connect: async () => {
        throw new WalkstreamError('KAFKA_UNREACHABLE', 'Cannot reach the Kafka brokers x:1');
      },
      ensureTopic: async () => {},
      send: async () => {},
      disconnect: async () => {},
    };
    const p = createProducer({ sink });
    await expect(p.start()).rejects.toMatchObject({ code: 'KAFKA_UNREACHABLE' });
    expect(p.state).toBe('failed');
  });

  it('stops by itself after maxTicks, having produced exactly walks × maxTicks points', async () => {
    const { sink, records } = memorySink();
    const p = createProducer({
      sink,
      params: { walks: 7, rate: 1_000 },
      maxTicks: 123,
      walkIdPrefix: 'run1-',
    });
    const stopped = new Promise<void>((resolve) => p.on('state', (s) => s === 'stopped' && resolve()));
    await p.start();
    await stopped;
    expect(records.length).toBe(7 * 123);
    expect(records[0]?.key).toBe('run1-0000');
    expectContiguousPerWalk(records, 7);
  });

  it('stops by itself after durationMs', async () => {
    const { sink, records } = memorySink();
    const p = createProducer({ sink, params: { walks: 1, rate: 100 }, durationMs: 100 });
    const stopped = new Promise<void>((resolve) => p.on('state', (s) => s === 'stopped' && resolve()));
    const t0 = performance.now();
    await p.start();
    await stopped;
    // Not before its time. How many ticks came is no measure on a loaded machine (late timers
    // skip ticks), but none come after it: 100 ms at 100 ticks/s is about 10.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThanOrEqual(15);
  });
});
