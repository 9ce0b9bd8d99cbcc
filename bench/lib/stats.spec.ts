import { describe, expect, it } from 'vitest';
import { fitSlope, fitTrend } from './stats';

describe('fitSlope', () => {
  it('gives the slope of points on a line, with no error', () => {
    const fit = fitSlope([0, 1, 2, 3], [5, 7, 9, 11]);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.stdErr).toBeCloseTo(0, 12);
  });

  it('gives the textbook standard error of the slope for scattered points', () => {
    // Residuals 1, -1, -1, 1 around y = 2x: SSE 4, Sxx 5 → SE = sqrt(4 / 2 / 5).
    const fit = fitSlope([0, 1, 2, 3], [1, 1, 3, 7]);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.stdErr).toBeCloseTo(Math.sqrt(4 / 2 / 5), 12);
  });

  it('has no error estimate with fewer than three points', () => {
    expect(fitSlope([0, 1], [0, 3])).toEqual({ slope: 3, stdErr: Number.NaN });
    expect(fitSlope([], []).slope).toBeNaN();
  });
});

describe('fitTrend', () => {
  const xs = Array.from({ length: 12 }, (_, i) => i);

  it('keeps the plain standard error when the residuals alternate (independent-looking)', () => {
    const ys = xs.map((x) => 2 * x + (x % 2 === 0 ? 1 : -1));
    const t = fitTrend(xs, ys);
    expect(t.lag1).toBeLessThan(0);
    expect(t.effectiveN).toBe(12);
    expect(t.stdErr).toBeCloseTo(fitSlope(xs, ys).stdErr, 12);
  });

  it('widens the standard error when the residuals run in streaks', () => {
    // Flat, with a stall that lifts four neighbouring points together.
    const ys = xs.map((x) => (x >= 6 && x <= 9 ? 3_000 : 1_000));
    const t = fitTrend(xs, ys);
    expect(t.lag1).toBeGreaterThan(0.3);
    expect(t.effectiveN).toBeLessThan(6);
    expect(t.stdErr).toBeGreaterThan(1.5 * fitSlope(xs, ys).stdErr);
  });

  it('gives up (infinite error) when fewer than three independent points are left', () => {
    // One slow swing, not a line: the residuals of any line through it move together.
    const long = Array.from({ length: 24 }, (_, i) => i);
    const t = fitTrend(
      long,
      long.map((x) => 1_000 * Math.cos((2 * Math.PI * x) / 24)),
    );
    expect(t.effectiveN).toBeLessThanOrEqual(2);
    expect(t.stdErr).toBe(Number.POSITIVE_INFINITY);
  });
});
