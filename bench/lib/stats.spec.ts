import { describe, expect, it } from 'vitest';
import { fitSlope } from './stats';

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
