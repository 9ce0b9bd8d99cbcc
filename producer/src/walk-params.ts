import { z } from 'zod';
import { InvalidParamsError, type ParamIssue } from './errors';

/**
 * Allowed ranges live in one table so the validator, the CLI help and the UI sliders all agree.
 * `integer` marks fields that must be whole numbers.
 */
export const PARAM_RANGES = {
  walks: { min: 1, max: 10_000, integer: true, unit: 'walks' },
  rate: { min: 0.1, max: 10_000, integer: false, unit: 'ticks/s' },
  volatility: { min: 0, max: 1_000, integer: false, unit: 'per √s' },
  drift: { min: -1_000, max: 1_000, integer: false, unit: 'per s' },
  theta: { min: 0, max: 100, integer: false, unit: '1/s' },
  mu: { min: -1_000_000, max: 1_000_000, integer: false, unit: '' },
  start: { min: -1_000_000, max: 1_000_000, integer: false, unit: '' },
  seed: { min: 0, max: 4_294_967_295, integer: true, unit: '' },
} as const;

export type ParamName = keyof typeof PARAM_RANGES;

/** Upper bound on walks × rate: beyond it one process cannot generate on schedule anyway. */
export const MAX_POINTS_PER_SECOND = 1_000_000;

export interface WalkParams {
  walks: number;
  rate: number;
  volatility: number;
  drift: number;
  theta: number;
  mu: number;
  start: number;
  seed: number;
}

export const DEFAULT_PARAMS: Readonly<WalkParams> = Object.freeze({
  walks: 10,
  rate: 10,
  volatility: 1,
  drift: 0,
  theta: 0,
  mu: 0,
  start: 100,
  seed: 42,
});

function field(name: ParamName) {
  const r = PARAM_RANGES[name];
  const range = `${r.min} to ${r.max}${r.unit ? ` ${r.unit}` : ''}`;
  let s = z.number({ error: `must be a number from ${range}` }).refine(Number.isFinite, {
    message: `must be a finite number from ${range}`,
  });
  if (r.integer) s = s.refine(Number.isInteger, { message: `must be a whole number from ${range}` });
  return s.refine((v) => v >= r.min && v <= r.max, { message: `must be from ${range}` });
}

const baseSchema = z.strictObject({
  walks: field('walks'),
  rate: field('rate'),
  volatility: field('volatility'),
  drift: field('drift'),
  theta: field('theta'),
  mu: field('mu'),
  start: field('start'),
  seed: field('seed'),
});

/** Full parameter set, including the rules that tie two fields together. */
export const walkParamsSchema = baseSchema
  .refine((p) => p.walks * p.rate <= MAX_POINTS_PER_SECOND, {
    path: ['rate'],
    message: `walks × rate must be at most ${MAX_POINTS_PER_SECOND.toLocaleString('en-US')} points/s`,
  })
  // Euler steps overshoot μ and oscillate when θ·dt > 1, i.e. θ > rate.
  .refine((p) => p.theta <= p.rate, {
    path: ['theta'],
    message: 'mean reversion θ must not exceed rate (θ·dt ≤ 1), or the walk oscillates around μ',
  });

/** A partial update, as sent by sliders; validated again once merged with the current parameters. */
export const walkParamsPatchSchema = baseSchema.partial();

export type WalkParamsPatch = Partial<WalkParams>;

function toIssues(error: z.ZodError): ParamIssue[] {
  return error.issues.map((i) => ({
    field: i.path.length > 0 ? i.path.join('.') : '(parameters)',
    message: i.code === 'unrecognized_keys' ? `unknown parameter(s) ${i.keys.join(', ')}` : i.message,
  }));
}

/** Merges a patch into the current parameters; throws InvalidParamsError naming each bad field. */
export function mergeParams(current: WalkParams, patch: unknown): WalkParams {
  const parsedPatch = walkParamsPatchSchema.safeParse(patch);
  if (!parsedPatch.success) throw new InvalidParamsError(toIssues(parsedPatch.error));
  return validateParams({ ...current, ...parsedPatch.data });
}

export function validateParams(candidate: unknown): WalkParams {
  const parsed = walkParamsSchema.safeParse(candidate);
  if (!parsed.success) throw new InvalidParamsError(toIssues(parsed.error));
  return parsed.data;
}
