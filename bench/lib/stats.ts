/** Small numeric helpers shared by the benches. */

/** The q-quantile (0..1) of an ascending array, nearest rank; NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Least-squares slope of y over x (units of y per unit of x). */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * ((ys[i] as number) - my);
    den += (x - mx) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

/**
 * Least-squares line through (x, y) with the standard error of its slope (from the residuals; NaN
 * with fewer than three points), so a trend can be told from the noise around it.
 */
export function fitSlope(xs: readonly number[], ys: readonly number[]): { slope: number; stdErr: number } {
  const n = xs.length;
  const b = slope(xs, ys);
  if (n < 3) return { slope: n === 2 ? b : Number.NaN, stdErr: Number.NaN };
  const mx = mean(xs);
  const my = mean(ys);
  let sxx = 0;
  let sse = 0;
  xs.forEach((x, i) => {
    sxx += (x - mx) ** 2;
    sse += ((ys[i] as number) - (my + b * (x - mx))) ** 2;
  });
  return { slope: b, stdErr: sxx === 0 ? Number.NaN : Math.sqrt(sse / (n - 2) / sxx) };
}

/**
 * A trend line whose standard error allows for residuals that run in streaks (lag-1
 * autocorrelation r > 0): n points are then worth only n·(1 − r)/(1 + r) independent ones, and
 * the error widens to match (the effective-sample-size correction of Santer et al. 2000, for trends
 * in series whose neighbours are not independent). Infinite when fewer than three are left.
 */
export function fitTrend(
  xs: readonly number[],
  ys: readonly number[],
): { slope: number; stdErr: number; lag1: number; effectiveN: number } {
  const n = xs.length;
  const fit = fitSlope(xs, ys);
  if (n < 3) return { ...fit, lag1: Number.NaN, effectiveN: n };
  const mx = mean(xs);
  const my = mean(ys);
  const res = xs.map((x, i) => (ys[i] as number) - (my + fit.slope * (x - mx)));
  const sse = res.reduce((t, e) => t + e * e, 0);
  let cross = 0;
  for (let i = 1; i < n; i++) cross += (res[i] as number) * (res[i - 1] as number);
  const lag1 = sse === 0 ? 0 : cross / sse;
  const r = Math.max(0, lag1);
  const effectiveN = (n * (1 - r)) / (1 + r);
  const stdErr =
    effectiveN > 2 ? fit.stdErr * Math.sqrt((n - 2) / (effectiveN - 2)) : Number.POSITIVE_INFINITY;
  return { slope: fit.slope, stdErr, lag1, effectiveN };
}

/** 1234567 → "1,234,567" (rounded). */
export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `step` every `everyMs`, counted from the start of one step to the start of the next (a step
 * slower than that is followed at once), until it returns false.
 */
export async function everyInterval(everyMs: number, step: () => Promise<boolean>): Promise<void> {
  for (;;) {
    const t0 = Date.now();
    if (!(await step())) return;
    await sleep(Math.max(0, everyMs - (Date.now() - t0)));
  }
}

/** A number from the environment, or the default. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not "${raw}"`);
  return n;
}
