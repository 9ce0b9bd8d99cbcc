import { describe, expect, it } from 'vitest';
import { InvalidParamsError } from './errors';
import { DEFAULT_PARAMS, mergeParams, validateParams } from './walk-params';

function issuesOf(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidParamsError);
    return [...(err as InvalidParamsError).issues];
  }
  throw new Error('expected InvalidParamsError');
}

describe('walk parameters', () => {
  it('accepts the defaults', () => {
    expect(validateParams(DEFAULT_PARAMS)).toEqual(DEFAULT_PARAMS);
  });

  it.each([
    [{ walks: 0 }, 'walks', /1 to 10000/],
    [{ walks: 10_001 }, 'walks', /1 to 10000/],
    [{ walks: 2.5 }, 'walks', /whole number/],
    [{ rate: 0 }, 'rate', /0.1 to 10000/],
    [{ volatility: -1 }, 'volatility', /0 to 1000/],
    [{ volatility: Number.NaN }, 'volatility', /number/],
    [{ seed: -1 }, 'seed', /0 to 4294967295/],
    [{ drift: '3' }, 'drift', /number/],
  ])('rejects %o naming %s and its range', (patch, field, message) => {
    const issues = issuesOf(() => mergeParams(DEFAULT_PARAMS, patch));
    expect(issues).toContainEqual({ field, message: expect.stringMatching(message) });
  });

  it('rejects walks × rate above one million points per second', () => {
    const issues = issuesOf(() => mergeParams(DEFAULT_PARAMS, { walks: 10_000, rate: 101 }));
    expect(issues[0]?.message).toMatch(/walks × rate/);
  });

  it('rejects a mean reversion θ above the rate', () => {
    const issues = issuesOf(() => mergeParams(DEFAULT_PARAMS, { rate: 2, theta: 3 }));
    expect(issues).toContainEqual({ field: 'theta', message: expect.stringMatching(/θ/) });
  });

  it('rejects unknown parameters instead of ignoring them', () => {
    const issues = issuesOf(() => mergeParams(DEFAULT_PARAMS, { volatilty: 2 }));
    expect(issues[0]?.message).toMatch(/unknown parameter.*volatilty/);
  });

  it('leaves the current parameters untouched when an update is rejected', () => {
    const current = { ...DEFAULT_PARAMS };
    expect(() => mergeParams(current, { walks: 0, rate: 5 })).toThrow(InvalidParamsError);
    expect(current).toEqual(DEFAULT_PARAMS);
  });
});
