import { describe, expect, it } from 'vitest';
import { renderReport, summaryLines } from './bench-report';
import type { BenchResults } from './bench-results';
import { BENCH_STAGE, cpuPerPoint } from './cpu-usage';
import type { RateRun } from './e2e-rate';
import { lagTrend } from './sustainability';

/** A measured run at `rate` whose stages kept `cores` busy for 10 s. */
function rateRun(rate: number, cores: number): RateRun {
  const points = rate * 10;
  const snap = (s: number, atMs: number) => ({
    atMs,
    source: 'test',
    seconds: { [BENCH_STAGE]: s / 2, influxdb: s / 2 },
  });
  return {
    rate,
    walks: 100,
    seconds: 10,
    drainWaitMs: 1_500,
    generated: points,
    produced: points,
    ticksSkipped: 0,
    producerLagMaxMs: 40,
    deliveredPerSecond: rate,
    storedPerSecond: rate * 0.95,
    storedWindowMs: 10_500,
    queryable: points,
    counted: points,
    countExact: true,
    p50Ms: 200,
    p99Ms: 700,
    maxMs: 900,
    queryP50Ms: 50,
    pollIntervalP99Ms: 150,
    stampMismatches: 0,
    drainMs: 300,
    lagTrend: lagTrend(
      [0, 1, 2, 3].map((t) => ({ tSec: t, messages: 10 })),
      1,
      0,
    ),
    lagSlopeLimit: rate / 100,
    cpu: cpuPerPoint(snap(0, 0), snap(cores * 10, 10_000), points, 2),
    sustainable: true,
    reasons: [],
  };
}

const results: BenchResults = {
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:10:00.000Z',
  machine: {
    cpus: 2,
    cpuModel: 'x',
    ramGiB: 8,
    kernel: 'k',
    node: '20',
    docker: '20',
    java: 'j',
    images: [],
  },
  config: {
    seconds: 10,
    appMinutes: 1,
    rates: [1_000, 10_000],
    walks: 100,
    pollMs: 100,
    lagSampleMs: 100,
    drainSeconds: 10,
    maxLagSlopeFraction: 0.01,
    drainBeforeSeconds: 300,
  },
  drains: [{ section: 'app bench', waitedMs: 12_300, lagAtStart: 4_000 }],
  sweep: [rateRun(1_000, 0.925), rateRun(10_000, 1.15)],
  footprint: {},
  starts: [
    {
      profile: 'full',
      healthyMs: { 'kafka-1': 15_000, influxdb: 8_000 },
      allHealthyMs: 18_000,
      firstPointMs: 20_500,
    },
    {
      profile: 'lite',
      healthyMs: { 'kafka-1': 9_000, influxdb: 7_000 },
      allHealthyMs: 10_000,
      firstPointMs: 13_000,
      memory: {
        rate: 1_000,
        usage: [
          { service: 'kafka-1', memMiB: 400, limitMiB: 768, cpuPercent: 5 },
          { service: 'influxdb', memMiB: 100, limitMiB: 1_024, cpuPercent: 3 },
        ],
      },
    },
  ],
  appCost: {
    rate: 10_000,
    without: [rateRun(10_000, 1.1), rateRun(10_000, 1.2)],
    with: {
      ...rateRun(10_000, 1.15),
      cpu: cpuPerPoint(
        { atMs: 0, source: 'test', seconds: { [BENCH_STAGE]: 0, influxdb: 0, 'app core': 0 } },
        { atMs: 10_000, source: 'test', seconds: { [BENCH_STAGE]: 5.75, influxdb: 5.75, 'app core': 0.5 } },
        100_000,
        2,
      ),
    },
    appStage: 'app core',
  },
  errors: { 'app bench': 'boom' },
};

describe('the benchmark report', () => {
  it('judges the end-to-end figure by the points stored in InfluxDB', () => {
    expect(summaryLines(results)).toContain(
      'End to end, zero loss: 9,500 points/s stored in InfluxDB (max sustainable rate 10,000/s), goal ≥ 40,000 and ≥ 0.7 × the CPU ceiling 17,391 = 12,174 ❌ miss',
    );
  });

  it('states what the app costs as the share of the sustainable rate its CPU per point takes', () => {
    expect(summaryLines(results)).toContain(
      'The app with its flow strip at 10,000 points/s: CPU per point 115 µs without it, 120 µs with it (the app core itself 5.0 µs) → costs 4.2 % of the sustainable rate (goal ≤ 5.0 %) ✅ pass',
    );
  });

  it('judges each profile by its time from Start to the first point, and the lite one by its memory', () => {
    const lines = summaryLines(results);
    expect(lines).toContain(
      'Start → first point on the chart, full profile: 20.5 s (every service healthy after 18.0 s; goal ≤ 25.0 s) ✅ pass',
    );
    expect(lines).toContain(
      'Start → first point on the chart, lite profile: 13.0 s (every service healthy after 10.0 s; goal ≤ 12.0 s) ❌ miss; memory at 1,000 points/s 500 MiB (goal ≤ 1,024 MiB, Grafana not run here) ✅ pass',
    );
    const md = renderReport(results);
    expect(md).toContain('| full | 8.0 s | 15.0 s | 18.0 s | 20.5 s | ≤ 25.0 s ✅ pass |');
    expect(md).toContain('the sum of its limits (mem_limit) 1,792 MiB');
  });

  it('prints where the CPU goes at 10,000 points/s with the ceiling, average and marginal', () => {
    const md = renderReport(results);
    expect(md).toContain('| **ceiling** = 2 cores ÷ CPU seconds per point | **17,391 points/s** |  |');
    expect(md).toContain('0.90 cores busy at no load and 25 µs per point on top');
    expect(md).toContain('≈ **44,000 points/s**');
  });

  it('prints the backlog trend with its limit, the drain waits, and the sections that failed', () => {
    const md = renderReport(results);
    expect(md).toContain('| 0 ± 0 | 100 | 300 ms | 1.5 s | yes |');
    expect(md).toContain('waited 12.3 s before app bench (4,000 messages)');
    expect(md).toContain('- app bench: boom');
  });
});
