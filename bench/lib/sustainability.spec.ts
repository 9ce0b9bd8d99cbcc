import { describe, expect, it } from 'vitest';
import { fitSlope } from './stats';
import {
  backlogGrows,
  endBacklogGrowth,
  type LagSample,
  lagTrend,
  type RunOutcome,
  unsustainableReasons,
} from './sustainability';

/** One sample every 250 ms for `seconds`, lag = f(t). */
const samples = (seconds: number, f: (t: number) => number): LagSample[] =>
  Array.from({ length: seconds * 4 + 1 }, (_, i) => ({ tSec: i / 4, messages: f(i / 4) }));

/** Telegraf commits once a second: the lag climbs through each second and drops at the commit. */
const sawtooth = (amplitude: number) => (t: number) => amplitude * (t % 1);

const limits = { maxLagSlopeFraction: 0.01, drainSeconds: 10 };

const outcome = (over: Partial<RunOutcome> = {}): RunOutcome => ({
  rate: 10_000,
  seconds: 30,
  generated: 300_000,
  produced: 300_000,
  ticksSkipped: 0,
  countExact: true,
  counted: 300_000,
  drainMs: 800,
  lagTrend: lagTrend(samples(30, sawtooth(200)), 50, 6),
  ...over,
});

describe('lagTrend', () => {
  it('converts the slope of the lag in messages to points with the measured points per message', () => {
    const t = lagTrend(
      samples(20, (t) => 100 + 30 * t),
      50,
      0,
    );
    expect(t.messagesPerSecond).toBeCloseTo(30, 9);
    expect(t.pointsPerSecond).toBeCloseTo(1_500, 6);
    expect(t.stdErrPointsPerSecond).toBeCloseTo(0, 6);
  });

  it("fits only from `fromSec` on, so the lag's ramp to its working level is not taken for a trend", () => {
    const rampThenFlat = (t: number) => Math.min(t, 2) * 250;
    expect(lagTrend(samples(20, rampThenFlat), 50, 0).pointsPerSecond).toBeGreaterThan(300);
    const t = lagTrend(samples(20, rampThenFlat), 50, 4);
    expect(t.pointsPerSecond).toBeCloseTo(0, 9);
    expect([t.fromSec, t.toSec, t.bins, t.samples]).toEqual([4, 20, 16, 64]);
    expect(t.maxMessages).toBe(500);
  });

  it('does not take the saw-tooth of the commits for a trend when the window ends mid-tooth', () => {
    // A flat backlog under teeth of 1,000 messages, sampled every 0.25 s from 3.05 s to 12.8 s.
    const teeth = Array.from({ length: 40 }, (_, i) => 3.05 + i * 0.25).map((t) => ({
      tSec: t,
      messages: sawtooth(1_000)(t),
    }));
    // Sample by sample, the partial tooth at the end reads as a trend of about 1 % of a tooth per second.
    const raw = fitSlope(
      teeth.map((s) => s.tSec),
      teeth.map((s) => s.messages),
    );
    expect(raw.slope).toBeGreaterThan(9);
    const t = lagTrend(teeth, 1, 3);
    expect([t.toSec, t.bins]).toEqual([12, 9]);
    expect(Math.abs(t.pointsPerSecond)).toBeLessThan(0.01);
  });

  it('widens its error for a stall of several seconds instead of calling it a trend', () => {
    // Flat at 1,000 messages, then a 4 s stall late in the window that lifts the lag to 4,000.
    const stall = lagTrend(
      samples(15, (t) => (t >= 9 && t < 13 ? 1_000 + 750 * (t - 9) : 1_000)),
      10,
      3,
    );
    expect(stall.pointsPerSecond).toBeGreaterThan(1_000);
    expect(stall.independentBins).toBeLessThan(stall.bins * 0.6);
    expect(backlogGrows(stall, 100)).toBe(false);
  });

  it('is not measured (NaN) with fewer than three commit periods', () => {
    const t = lagTrend(
      samples(2, () => 3),
      1,
      0,
    );
    expect(t.pointsPerSecond).toBeNaN();
    expect(unsustainableReasons(outcome({ lagTrend: t }), limits)).toEqual([
      'backlog trend not measured (8 lag samples in 2 commit periods)',
    ]);
  });
});

describe('backlogGrows', () => {
  it('tells a saw-tooth around a flat level from a backlog that grows', () => {
    const flat = lagTrend(samples(30, sawtooth(200)), 50, 6);
    expect(Math.abs(flat.pointsPerSecond)).toBeLessThan(2 * flat.stdErrPointsPerSecond + 100);
    expect(backlogGrows(flat, 100)).toBe(false);
    const growing = lagTrend(
      samples(30, (t) => sawtooth(200)(t) + 40 * t),
      50,
      6,
    );
    expect(growing.pointsPerSecond).toBeGreaterThan(1_500);
    expect(backlogGrows(growing, 100)).toBe(true);
  });
});

describe('unsustainableReasons', () => {
  it('accepts zero loss, a flat backlog and a bounded drain, whatever the window length', () => {
    expect(unsustainableReasons(outcome(), limits)).toEqual([]);
    const long = { seconds: 600, generated: 6_000_000, produced: 6_000_000, counted: 6_000_000 };
    expect(
      unsustainableReasons(
        outcome({ ...long, lagTrend: lagTrend(samples(600, sawtooth(200)), 50, 120) }),
        limits,
      ),
    ).toEqual([]);
  });

  it('names a growing backlog with its slope, its resolution and the limit', () => {
    const growing = lagTrend(
      samples(30, (t) => 10 * t),
      50,
      6,
    );
    expect(unsustainableReasons(outcome({ lagTrend: growing }), limits)).toEqual([
      'backlog grows 500 ± 0 points/s > 100 points/s',
    ]);
  });

  it("names the backlog left at the stop, which a short window's wide ± can hide from the trend", () => {
    // Measured: at 80 000 points/s over 10 s the last point took 499 ms, the pipeline's own p99 173 ms.
    const run = outcome({
      rate: 80_000,
      seconds: 10,
      generated: 800_000,
      produced: 800_000,
      counted: 800_000,
      drainMs: 499,
    });
    const withBaseline = { ...limits, baselineLatencyMs: 173 };
    expect(endBacklogGrowth(run, 173)).toBeCloseTo(2_608, 0);
    expect(unsustainableReasons({ ...run, lagTrend: outcome().lagTrend }, withBaseline)).toEqual([
      "backlog left at the stop: drained in 499 ms, 326 ms beyond the pipeline's own p99 = 2608 points/s over the window > 800 points/s",
    ]);
    // A drain within the pipeline's own latency leaves nothing over.
    expect(unsustainableReasons(outcome({ drainMs: 150 }), withBaseline)).toEqual([]);
  });

  it('does not call a rate sustainable when the window is too short to resolve the trend', () => {
    const trend = {
      ...outcome().lagTrend,
      stdErrPointsPerSecond: Number.POSITIVE_INFINITY,
      independentBins: 1.6,
    };
    expect(unsustainableReasons(outcome({ lagTrend: trend }), limits)).toEqual([
      "backlog trend not resolvable: the lag's swings leave 1.6 independent seconds in the window (raise BENCH_SECONDS)",
    ]);
  });

  it('names every loss and every late point', () => {
    const reasons = unsustainableReasons(
      outcome({
        produced: 299_990,
        counted: 299_000,
        countExact: false,
        ticksSkipped: 3,
        drainMs: Number.NaN,
      }),
      limits,
    );
    expect(reasons).toEqual([
      'producer skipped 3 ticks',
      '10 points not acknowledged by Kafka',
      'count mismatch: 299000 in InfluxDB, 300000 generated',
      'not all points queryable 10 s after the end',
    ]);
  });
});
