import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * Standard normal numbers from a seeded xoroshiro128+ (pure-rand), via the polar Box–Muller method.
 * Deterministic: the same seed yields the same sequence on every platform.
 */
export class SeededGaussian {
  private readonly rng;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed | 0);
  }

  next(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = uniformFloat64(this.rng) * 2 - 1;
      v = uniformFloat64(this.rng) * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    this.hasSpare = true;
    return u * m;
  }
}
