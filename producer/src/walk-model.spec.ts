import { describe, expect, it } from 'vitest';
import { WalkModel } from './walk-model';
import { DEFAULT_PARAMS, type WalkParams } from './walk-params';

function run(params: WalkParams, ticks: number): number[][] {
  const model = new WalkModel(params);
  const series: number[][] = Array.from({ length: params.walks }, () => []);
  for (let t = 0; t < ticks; t++) model.tick((w, v) => series[w]?.push(v));
  return series;
}

function increments(xs: number[]): number[] {
  return xs.slice(1).map((x, i) => x - (xs[i] as number));
}

function meanVar(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe('WalkModel', () => {
  it('produces the same sequence for the same seed and parameters', () => {
    const p = { ...DEFAULT_PARAMS, walks: 5, seed: 7 };
    expect(run(p, 200)).toEqual(run(p, 200));
  });

  it('produces a different sequence for a different seed', () => {
    const a = run({ ...DEFAULT_PARAMS, seed: 1 }, 50);
    const b = run({ ...DEFAULT_PARAMS, seed: 2 }, 50);
    expect(a).not.toEqual(b);
  });

  it('starts every walk at the start value with seq 0', () => {
    const model = new WalkModel({ ...DEFAULT_PARAMS, walks: 3, start: 12.5 });
    const seen: [number, number, number][] = [];
    model.tick((w, v, s) => seen.push([w, v, s]));
    expect(seen).toEqual([
      [0, 12.5, 0],
      [1, 12.5, 0],
      [2, 12.5, 0],
    ]);
  });

  it('has increments with mean drift·dt and variance volatility²·dt over 10^5 steps', () => {
    const p = { ...DEFAULT_PARAMS, walks: 1, rate: 4, drift: 2, volatility: 3, seed: 123 };
    const dt = 1 / p.rate;
    const { mean, variance } = meanVar(increments(run(p, 100_001)[0] as number[]));
    const sd = p.volatility * Math.sqrt(dt);
    // Standard error of the mean is sd/√n ≈ 0.0047; of the variance ≈ var·√(2/n) ≈ 0.01.
    expect(Math.abs(mean - p.drift * dt)).toBeLessThan(5 * (sd / Math.sqrt(100_000)));
    expect(Math.abs(variance - sd * sd) / (sd * sd)).toBeLessThan(0.02);
  });

  it('pulls the walks toward μ with mean reversion', () => {
    const p = {
      ...DEFAULT_PARAMS,
      walks: 20,
      rate: 10,
      theta: 2,
      mu: 50,
      start: 100,
      volatility: 0.5,
      seed: 9,
    };
    const series = run(p, 200); // 20 s ≫ 1/θ
    for (const s of series) expect(Math.abs((s.at(-1) as number) - 50)).toBeLessThan(3);
    const free = run({ ...p, theta: 0 }, 200);
    const meanDistance = (ss: number[][]) =>
      ss.reduce((a, s) => a + Math.abs((s.at(-1) as number) - 50), 0) / ss.length;
    expect(meanDistance(series)).toBeLessThan(meanDistance(free) / 5);
  });

  it('keeps values and step numbers across setParams and applies the change on the next tick', () => {
    const model = new WalkModel({ ...DEFAULT_PARAMS, walks: 2, volatility: 0, drift: 10, rate: 10 });
    const seen: [number, number, number][] = [];
    for (let i = 0; i < 3; i++) model.tick((w, v, s) => seen.push([w, v, s]));
    model.setParams({ ...DEFAULT_PARAMS, walks: 3, volatility: 0, drift: -20, rate: 10 });
    model.tick((w, v, s) => seen.push([w, v, s]));
    // Walks 0 and 1 had reached 102 at seq 2; the next step applies the new drift (−20 × 0.1).
    expect(seen.slice(-3)).toEqual([
      [0, 100, 3],
      [1, 100, 3],
      [2, 100, 0],
    ]);
  });
});
