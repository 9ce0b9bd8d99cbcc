import { describe, expect, it } from 'vitest';
import { withGaps } from './chart-gaps';

describe('withGaps', () => {
  it('leaves points closer than the gap joined', () => {
    const pts = [
      { t: 0, v: 1 },
      { t: 500, v: 2 },
      { t: 1_000, v: 3 },
    ];
    expect(withGaps(pts, 1_500)).toEqual(pts);
  });

  it('breaks the line between points further apart than the gap, once per gap', () => {
    expect(
      withGaps(
        [
          { t: 0, v: 1 },
          { t: 500, v: 2 },
          { t: 10_500, v: 9 },
          { t: 11_000, v: 8 },
          { t: 20_000, v: 7 },
        ],
        1_500,
      ),
    ).toEqual([
      { t: 0, v: 1 },
      { t: 500, v: 2 },
      { t: 5_500, v: null },
      { t: 10_500, v: 9 },
      { t: 11_000, v: 8 },
      { t: 15_500, v: null },
      { t: 20_000, v: 7 },
    ]);
  });

  it('handles no points and one point', () => {
    expect(withGaps([], 1_000)).toEqual([]);
    expect(withGaps([{ t: 5, v: 1 }], 1_000)).toEqual([{ t: 5, v: 1 }]);
  });
});
