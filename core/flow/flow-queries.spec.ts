import { describe, expect, it } from 'vitest';
import { newPointsQuery, readStored, sampledWalks, sampleStride, storedQuery } from './flow-queries';

describe('the flow queries', () => {
  it('counts a run’s stored points from each of the app’s walks’ last seq, since the run began', () => {
    const q = storedQuery('walks', Date.UTC(2026, 10, 27, 7, 0, 0));
    expect(q).toContain('range(start: 2026-11-27T07:00:00.000Z)');
    expect(q).toContain('r._field == "seq" and r.walk =~ /^w[0-9]+$/');
    expect(q).toContain('|> last()');
    expect(q).toContain('accumulator.stored + r._value + 1');
  });

  it('reads the count and the newest point, or nothing before the first point', () => {
    expect(readStored([{ stored: 610, newest: 1_795_764_469_385_194_000 }])).toEqual({
      stored: 610,
      newestAt: 1_795_764_469_385,
    });
    expect(readStored([])).toEqual({ stored: null, newestAt: null });
  });

  it('samples walks spread over all of them', () => {
    const id = (i: number) => `w${String(i).padStart(4, '0')}`;
    expect(sampledWalks(3, 6, id)).toEqual(['w0000', 'w0001', 'w0002']);
    expect(sampledWalks(600, 6, id)).toEqual(['w0000', 'w0100', 'w0200', 'w0300', 'w0400', 'w0500']);
  });

  it('strides over seq so a probe stays near its row budget at any rate', () => {
    expect(sampleStride(6, 10, 250, 120)).toBe(1); // 15 rows
    expect(sampleStride(6, 10_000, 250, 120)).toBe(125); // 15 000 rows → 120
  });

  it('asks each walk only for what is newer than its own newest seen point, in one read', () => {
    const q = newPointsQuery(
      'walks',
      [
        { walk: 'w0000', afterMs: Date.UTC(2026, 0, 1, 0, 0, 1) },
        { walk: 'w0005', afterMs: Date.UTC(2026, 0, 1, 0, 0, 2) },
      ],
      4,
      200,
    );
    expect(q.match(/from\(/g)).toHaveLength(1);
    expect(q).toContain('range(start: 2026-01-01T00:00:01.001Z)');
    expect(q).toContain('(r.walk == "w0000" or r.walk == "w0005")');
    expect(q).toContain('(r.walk == "w0000" and r._time > 2026-01-01T00:00:01.000Z)');
    expect(q).toContain('(r.walk == "w0005" and r._time > 2026-01-01T00:00:02.000Z)');
    expect(q).toContain('r._value % 4 == 0');
    expect(q).toContain('limit(n: 200)');
    expect(newPointsQuery('walks', [{ walk: 'w0000', afterMs: 0 }], 1, 200)).not.toContain('%');
  });
});
