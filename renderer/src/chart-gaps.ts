import type { PreviewPoint } from '../../core/contract/data';

/** A point of a chart line; a null value breaks the line there. */
export interface LinePoint {
  t: number;
  v: number | null;
}

/**
 * One walk's points for a line that is not drawn across a gap: wherever two consecutive points
 * are more than `gapMs` apart (the pipeline stalled, or the walk was not produced for a while),
 * a null between them breaks the line instead of a straight stroke pretending data was there.
 */
export function withGaps(points: readonly PreviewPoint[], gapMs: number): LinePoint[] {
  const out: LinePoint[] = [];
  let prev: PreviewPoint | undefined;
  for (const p of points) {
    if (prev && p.t - prev.t > gapMs) out.push({ t: prev.t + (p.t - prev.t) / 2, v: null });
    out.push({ t: p.t, v: p.v });
    prev = p;
  }
  return out;
}
