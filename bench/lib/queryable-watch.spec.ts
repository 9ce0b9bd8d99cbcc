import { describe, expect, it } from 'vitest';
import { stripLatencyGaps } from './bench-results';
import { latencyBetween, watchQueryable } from './queryable-watch';

describe('watchQueryable', () => {
  it('times each point once, from its stored time to the answer that first returned it', async () => {
    const start = Date.now();
    const stored = [
      { walk: 'w0000', _time: new Date(start + 1).toISOString() },
      { walk: 'w0001', _time: new Date(start + 2).toISOString() },
    ];
    const queries: string[] = [];
    const watch = watchQueryable({
      // Every poll answers with everything stored so far, as a range start before them would.
      flux: async <T>(q: string) => {
        queries.push(q);
        return stored as T[];
      },
      bucket: 'walks',
      walkRegex: '/^w[0-9]+$/',
      sinceMs: start,
      pollMs: 5,
    });
    await new Promise((r) => setTimeout(r, 30));
    const seen = await watch.stop();
    expect(seen).toHaveLength(2);
    for (const s of seen) expect(s.latencyMs).toBe(s.seenAt - (s === seen[0] ? start + 1 : start + 2));
    expect(queries.length).toBeGreaterThan(2);
    // Later polls start after the newest point of the walk furthest behind.
    expect(queries.at(-1)).toContain(`range(start: ${new Date(start + 2).toISOString()})`);
  });
});

describe('latencyBetween and stripLatencyGaps', () => {
  it('takes only the points first seen in the window, and measures the strip against them', () => {
    const samples = [
      { seenAt: 100, latencyMs: 9_999 },
      ...Array.from({ length: 100 }, (_, i) => ({ seenAt: 1_000 + i, latencyMs: 100 + i })),
    ];
    const bench = latencyBetween(samples, 500, 2_000);
    expect(bench).toEqual({ p50Ms: 150, p99Ms: 199, samples: 100 });
    const gaps = stripLatencyGaps({
      windowSeconds: 60,
      strip: { p50Ms: 180, p99Ms: 199, samples: 50, probeMs: 250 },
      bench: { ...bench, pollMs: 100 },
    });
    expect(gaps.p50).toBeCloseTo(0.2);
    expect(gaps.p99).toBe(0);
    expect(
      stripLatencyGaps({
        windowSeconds: 60,
        strip: { p50Ms: null, p99Ms: null, samples: 0, probeMs: 250 },
        bench: { ...bench, pollMs: 100 },
      }).p50,
    ).toBeNaN();
  });
});
