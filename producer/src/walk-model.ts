import { SeededGaussian } from './gaussian';
import type { WalkParams } from './walk-params';

/**
 * N independent walks advanced one tick at a time:
 *   x[t+1] = x[t] + drift·dt + θ·(μ − x[t])·dt + volatility·√dt·Z,  Z ~ N(0,1),  dt = 1/rate.
 * The state (values and per-walk step numbers) survives parameter changes; only a new seed
 * restarts the random stream.
 */
export class WalkModel {
  private params: WalkParams;
  private gaussian: SeededGaussian;
  private values: Float64Array;
  private seqs: Float64Array;

  constructor(params: WalkParams) {
    this.params = params;
    this.gaussian = new SeededGaussian(params.seed);
    this.values = new Float64Array(params.walks).fill(params.start);
    this.seqs = new Float64Array(params.walks);
  }

  get walkCount(): number {
    return this.values.length;
  }

  /** Applies new parameters from the next tick on. Existing walks keep their values and step numbers. */
  setParams(next: WalkParams): void {
    if (next.seed !== this.params.seed) this.gaussian = new SeededGaussian(next.seed);
    if (next.walks !== this.values.length) {
      const values = new Float64Array(next.walks).fill(next.start);
      const seqs = new Float64Array(next.walks);
      const kept = Math.min(next.walks, this.values.length);
      values.set(this.values.subarray(0, kept));
      seqs.set(this.seqs.subarray(0, kept));
      this.values = values;
      this.seqs = seqs;
    }
    this.params = next;
  }

  /**
   * Advances every walk by one step and hands each new point to `emit`, in walk order.
   * The first point of a walk (seq 0) is its start value.
   */
  tick(emit: (walk: number, value: number, seq: number) => void): void {
    const { rate, volatility, drift, theta, mu } = this.params;
    const dt = 1 / rate;
    const driftStep = drift * dt;
    const noiseScale = volatility * Math.sqrt(dt);
    const reversion = theta * dt;
    const values = this.values;
    const seqs = this.seqs;
    for (let i = 0; i < values.length; i++) {
      const seq = seqs[i] as number;
      let x = values[i] as number;
      if (seq > 0) {
        x = x + driftStep + reversion * (mu - x) + noiseScale * this.gaussian.next();
        values[i] = x;
      }
      seqs[i] = seq + 1;
      emit(i, x, seq);
    }
  }

  /** Current values, for display and tests; a copy so callers cannot disturb the walks. */
  snapshot(): { values: number[]; seqs: number[] } {
    return { values: Array.from(this.values), seqs: Array.from(this.seqs) };
  }
}
