/** Everything one `npm run bench` measures, as plain data: the runner fills it, the report renders it. */

import type { AppBench, StripLatencyCheck } from './app-bench';
import type { RateRun } from './e2e-rate';
import type { ServiceUsage } from './footprint';
import type { InfluxCapacity } from './influx-capacity';
import type { PerfTestResult } from './perf-test';
import type { ProducerThroughput } from './producer-throughput';
import type { StartTiming } from './start-time';

export interface ProducerComparison {
  ours: ProducerThroughput;
  perfTest: PerfTestResult;
  /** Points/s the perf tool's record rate stands for, at our points per message. */
  perfTestPointsPerSecond: number;
  ratio: number;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    ramGiB: number;
    kernel: string;
    node: string;
    docker: string;
    java: string;
    images: string[];
  };
  config: {
    seconds: number;
    appMinutes: number;
    rates: number[];
    walks: number;
    pollMs: number;
    /** How often Telegraf's consumer lag is sampled during a rate's window. */
    lagSampleMs: number;
    drainSeconds: number;
    /** Backlog growth allowed at a sustainable rate, as a fraction of the rate. */
    maxLagSlopeFraction: number;
    /** Longest wait for Telegraf's backlog to drain before a section or a rate starts. */
    drainBeforeSeconds: number;
  };
  /** Each section's wait for a drained pipeline before it started. */
  drains: { section: string; waitedMs: number; lagAtStart: number }[];
  producer?: { coalesced: ProducerComparison; single: ProducerComparison };
  influx?: InfluxCapacity;
  sweep: RateRun[];
  app?: AppBench;
  footprint: { underLoad?: { rate: number; usage: ServiceUsage[] }; appLoad?: ServiceUsage[] };
  /**
   * What the app (its core, with the flow strip's queries) costs the pipeline: the same rate run
   * without it, with it, and without it again, back to back (the two without it bracket any drift).
   */
  appCost?: { rate: number; without: [RateRun, RateRun]; with: RateRun; appStage: string };
  /**
   * The kept settings, each undone once: the same rate with every setting kept, right before the
   * run without this one (pairs, so the cluster's warming up over the section does not count).
   */
  levers?: {
    pairs: {
      name: string;
      kept: string;
      without: string;
      rate: number;
      /** The CPU stages it acts on; empty: every stage. */
      stages: string[];
      keptRun?: RateRun;
      run?: RateRun;
      error?: string;
    }[];
  };
  /** Start pipeline → healthy → first point, per profile. */
  starts: StartTiming[];
  /** Sections that failed, with the error. */
  errors: Record<string, string>;
}

export const GOALS = {
  producerRatio: 0.5,
  /** The max sustainable rate must reach both: this many points/s and this share of the CPU ceiling. */
  e2ePointsPerSecond: 40_000,
  e2eCeilingRatio: 0.7,
  p99AtTenThousandMs: 1_500,
  p99AtOneThousandMs: 400,
  /** Start pipeline → first point on the chart, images present, volumes empty. */
  firstPointMs: { full: 25_000, lite: 12_000 },
  liteMemoryMiB: 1_024,
  /** Share of the sustainable rate the app with its flow strip may cost. */
  appCostShare: 0.05,
  /** The flow strip's latency p50 and p99 may differ from the benchmark's method by this share of it. */
  stripLatencyAgreement: 0.2,
  framesP95Ms: 50,
  /** "No growth": the core's RSS trend after warm-up stays below this. */
  rssSlopeMiBPerMin: 1,
} as const;

/** The highest rate that met every sustainability criterion (runs stop at the first that did not). */
export function maxSustainable(sweep: readonly RateRun[]): RateRun | undefined {
  return sweep.filter((r) => r.sustainable).sort((a, b) => b.rate - a.rate)[0];
}

/** How far the strip's p50 and p99 are from the benchmark's (a share of the benchmark's); NaN when either is missing. */
export function stripLatencyGaps(c: StripLatencyCheck): { p50: number; p99: number } {
  const gap = (strip: number | null, bench: number) =>
    strip === null || !Number.isFinite(bench) || bench <= 0 ? Number.NaN : Math.abs(strip - bench) / bench;
  return { p50: gap(c.strip.p50Ms, c.bench.p50Ms), p99: gap(c.strip.p99Ms, c.bench.p99Ms) };
}
