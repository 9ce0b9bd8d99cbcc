/**
 * Whether a rate is sustainable, judged so the answer does not depend on how long the window was:
 * nothing lost, and a backlog that does not grow. A latency bound would not do: a pipeline 1 %
 * slower than the producer passes any p99 bound over 15 s and fails it over an hour.
 */
import { fitTrend, mean } from './stats';

export interface LagSample {
  /** Seconds since the producer started. */
  tSec: number;
  /** Telegraf's consumer lag, in messages. */
  messages: number;
}

export interface LagTrend {
  /** Least-squares slope of the lag over the fitted samples, in points/s (+ = backlog growing). */
  pointsPerSecond: number;
  /** Its standard error, points/s: the lag saw-tooths with Telegraf's batches and commits. */
  stdErrPointsPerSecond: number;
  /** The slope in messages/s, as measured. */
  messagesPerSecond: number;
  pointsPerMessage: number;
  /** Samples the fit used, the one-period bins it fitted, and the window they cover. */
  samples: number;
  bins: number;
  /**
   * What the bins are worth as independent measurements: Telegraf stalls for several seconds now
   * and then (a slow write to InfluxDB), and the seconds of one stall rise and fall together.
   */
  independentBins: number;
  fromSec: number;
  toSec: number;
  maxMessages: number;
}

/**
 * Telegraf's consumer commits its offsets once a second (sarama's default auto-commit interval;
 * telegraf.conf does not change it), so the lag saw-tooths with this period.
 */
export const COMMIT_PERIOD_SEC = 1;

/**
 * The backlog's trend from `fromSec` on (the lag first climbs from 0 to its working level, and
 * that ramp is not a trend). Fitted sample by sample, the saw-tooth of the commits reads as a trend
 * when the window ends mid-tooth: the fit takes the mean lag of each whole commit period instead,
 * over a whole number of periods, and its standard error comes from those means, widened for the
 * stalls that span several of them (stats.ts fitTrend). Messages convert to points with the
 * window's measured points per message: under load the producer packs several points of a walk
 * into one message.
 */
export function lagTrend(
  samples: readonly LagSample[],
  pointsPerMessage: number,
  fromSec: number,
  periodSec = COMMIT_PERIOD_SEC,
): LagTrend {
  const after = samples.filter((s) => s.tSec >= fromSec);
  const periods = Math.floor(((after.at(-1)?.tSec ?? fromSec) - fromSec) / periodSec);
  const bins: LagSample[][] = Array.from({ length: periods }, () => []);
  for (const s of after) bins[Math.floor((s.tSec - fromSec) / periodSec)]?.push(s);
  const means = bins
    .filter((b) => b.length > 0)
    .map((b) => ({ t: mean(b.map((s) => s.tSec)), lag: mean(b.map((s) => s.messages)) }));
  const fit =
    means.length >= 3
      ? fitTrend(
          means.map((m) => m.t),
          means.map((m) => m.lag),
        )
      : { slope: Number.NaN, stdErr: Number.NaN, effectiveN: means.length };
  return {
    pointsPerSecond: fit.slope * pointsPerMessage,
    stdErrPointsPerSecond: fit.stdErr * pointsPerMessage,
    messagesPerSecond: fit.slope,
    pointsPerMessage,
    samples: bins.reduce((n, b) => n + b.length, 0),
    bins: means.length,
    independentBins: fit.effectiveN,
    fromSec,
    toSec: fromSec + periods * periodSec,
    maxMessages: Math.max(0, ...samples.map((s) => s.messages)),
  };
}

export interface SustainabilityLimits {
  /** The backlog may grow by at most this fraction of the asked rate (points/s per points/s). */
  maxLagSlopeFraction: number;
  /** Every point must be queryable within this long after the producer stopped. */
  drainSeconds: number;
  /**
   * The pipeline's own p99 latency at a light load (the warm-up's): a drain after the stop longer
   * than that is backlog left over. Unset: the check is not made.
   */
  baselineLatencyMs?: number;
}

export interface RunOutcome {
  rate: number;
  seconds: number;
  generated: number;
  produced: number;
  ticksSkipped: number;
  countExact: boolean;
  counted: number;
  /** From the producer's stop to the last point queryable; NaN if that did not happen in time. */
  drainMs: number;
  lagTrend: LagTrend;
}

/** The largest backlog growth, in points/s, that still counts as "not growing" at `rate`. */
export function lagSlopeLimit(rate: number, limits: SustainabilityLimits): number {
  return rate * limits.maxLagSlopeFraction;
}

/**
 * Growing = the slope exceeds the limit by more than two standard errors. A short window cannot
 * resolve a trend finer than its noise: the error is printed beside the slope, and a longer
 * BENCH_SECONDS narrows it (roughly as the window's length to the power 1.5).
 */
export function backlogGrows(trend: LagTrend, limit: number): boolean {
  return trend.pointsPerSecond - 2 * trend.stdErrPointsPerSecond > limit;
}

/**
 * The backlog left when the producer stopped, spread over the window, in points/s: the time the
 * last point took to become queryable beyond the pipeline's own latency, at this rate. The lag
 * trend judges the middle of the window; this judges its end, and a short window's wide ± cannot
 * hide it (a 10 s window called 80 000 points/s sustainable by the trend alone, with 0.5 s of
 * backlog at the stop).
 */
export function endBacklogGrowth(
  r: Pick<RunOutcome, 'drainMs' | 'rate' | 'seconds'>,
  baselineMs: number,
): number {
  return ((Math.max(0, r.drainMs - baselineMs) / 1000) * r.rate) / r.seconds;
}

/** Why a run is not sustainable; empty when it is. */
export function unsustainableReasons(r: RunOutcome, limits: SustainabilityLimits): string[] {
  const reasons: string[] = [];
  if (r.ticksSkipped > 0) reasons.push(`producer skipped ${r.ticksSkipped} ticks`);
  if (r.generated < 0.99 * r.rate * r.seconds) reasons.push('producer generated < 99% of the asked points');
  if (r.produced !== r.generated)
    reasons.push(`${r.generated - r.produced} points not acknowledged by Kafka`);
  if (!r.countExact) reasons.push(`count mismatch: ${r.counted} in InfluxDB, ${r.generated} generated`);
  const limit = lagSlopeLimit(r.rate, limits);
  const t = r.lagTrend;
  if (!Number.isFinite(t.pointsPerSecond)) {
    reasons.push(`backlog trend not measured (${t.samples} lag samples in ${t.bins} commit periods)`);
  } else if (!Number.isFinite(t.stdErrPointsPerSecond)) {
    reasons.push(
      `backlog trend not resolvable: the lag's swings leave ${t.independentBins.toFixed(1)} independent seconds in the window (raise BENCH_SECONDS)`,
    );
  } else if (backlogGrows(t, limit)) {
    reasons.push(
      `backlog grows ${Math.round(t.pointsPerSecond)} ± ${Math.round(2 * t.stdErrPointsPerSecond)} points/s > ${Math.round(limit)} points/s`,
    );
  }
  if (!(r.drainMs <= limits.drainSeconds * 1000))
    reasons.push(`not all points queryable ${limits.drainSeconds} s after the end`);
  else if (limits.baselineLatencyMs !== undefined) {
    const growth = endBacklogGrowth(r, limits.baselineLatencyMs);
    if (growth > limit)
      reasons.push(
        `backlog left at the stop: drained in ${Math.round(r.drainMs)} ms, ${Math.round(r.drainMs - limits.baselineLatencyMs)} ms beyond the pipeline's own p99 = ${Math.round(growth)} points/s over the window > ${Math.round(limit)} points/s`,
      );
  }
  return reasons;
}
