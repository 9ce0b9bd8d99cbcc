import { describe, expect, it } from 'vitest';
import { EventHub } from '../events/event-hub';
import { type FluxRows, PreviewService, walkPredicate } from './preview-service';

/**
 * A fake InfluxDB answering the preview's two queries from an in-memory series: the discovery
 * (every walk's newest point) and the increment (the named walks' points since a time, with their
 * newest point as a second result).
 */
type FakePoint = { walk: string; t: number; v: number };

function fakeInflux(points: FakePoint[]): FluxRows & { queries: string[] } {
  const queries: string[] = [];
  const row = (p: FakePoint, result: string) => ({
    result,
    walk: p.walk,
    _time: new Date(p.t).toISOString(),
    _value: p.v,
  });
  const newest = (ps: FakePoint[]) => {
    const last = new Map<string, FakePoint>();
    for (const p of ps) last.set(p.walk, p);
    return [...last.values()];
  };
  return {
    queries,
    collectRows: async <T>(q: string) => {
      queries.push(q);
      const since = Date.parse(/range\(start: ([^)]+)\)/.exec(q)?.[1] ?? '');
      const inRange = points.filter((p) => p.t >= since);
      if (!q.includes('yield(name: "newest")')) return newest(inRange).map((p) => row(p, '_result')) as T[];
      const named = inRange.filter((p) => q.includes(`"${p.walk}"`));
      return [...named.map((p) => row(p, 'points')), ...newest(named).map((p) => row(p, 'newest'))] as T[];
    },
  };
}

type PreviewOptions = ConstructorParameters<typeof PreviewService>[0];

/** A preview over the fake InfluxDB's points, showing up to 10 walks unless told otherwise. */
function preview(points: FakePoint[], options: Partial<PreviewOptions> = {}): PreviewService {
  return new PreviewService({
    query: fakeInflux(points),
    bucket: () => 'walks',
    hub: new EventHub(),
    walkLimit: () => 10,
    ...options,
  });
}

describe('PreviewService', () => {
  it('shows a bounded subset of walks, says how many are hidden, and reports freshness', async () => {
    const now = 1_800_000_000_000;
    const pts = ['w0000', 'w0001', 'w0002'].flatMap((walk, i) => [
      { walk, t: now - 2_000, v: i },
      { walk, t: now - 1_000, v: i + 0.5 },
    ]);
    const svc = preview(pts, { walkLimit: () => 2, now: () => now });
    const u = await svc.refresh();
    expect(u.series.map((s) => s.walk)).toEqual(['w0000', 'w0001']);
    expect(u.hiddenWalks).toBe(1);
    expect(u.series[0]).toMatchObject({ lastValue: 0.5, freshnessMs: 1_000 });
  });

  it('sends only new points on later refreshes (plus the last one sent, whose interval may still fill)', async () => {
    let now = 1_800_000_000_000;
    const pts = [{ walk: 'w0000', t: now - 5_000, v: 1 }];
    const svc = preview(pts, { now: () => now, resolutionMs: 500 });
    expect((await svc.refresh()).series[0]?.points).toEqual([{ t: now - 5_000, v: 1 }]);
    now += 1_000;
    pts.push({ walk: 'w0000', t: now - 100, v: 2 });
    const second = await svc.refresh();
    expect(second.series[0]?.points).toEqual([
      { t: now - 6_000, v: 1 },
      { t: now - 100, v: 2 },
    ]);
    now += 1_000;
    pts.push({ walk: 'w0000', t: now - 100, v: 3 });
    expect((await svc.refresh()).series[0]?.points).toEqual([
      { t: now - 1_100, v: 2 },
      { t: now - 100, v: 3 },
    ]);
    expect(svc.snapshot().series[0]?.points).toHaveLength(3);
  });

  it('starts from a clean slate at a new run: the old run’s points are neither kept nor re-read', async () => {
    let now = 1_800_000_000_000;
    let run: number | null = now - 30_000;
    const pts = [
      { walk: 'w0000', t: now - 20_000, v: 1 },
      { walk: 'w0000', t: now - 10_000, v: 2 },
    ];
    const svc = preview(pts, { now: () => now, runStartedAt: () => run });
    expect((await svc.refresh()).series[0]?.points).toHaveLength(2);
    now += 1_000;
    run = now;
    pts.push({ walk: 'w0000', t: now + 500, v: 100 });
    now += 1_000;
    const update = await svc.refresh();
    expect(update.reset).toBe(true);
    expect(update.series[0]?.points).toEqual([{ t: now - 500, v: 100 }]);
    expect((await svc.refresh()).reset).toBe(false);
    expect(svc.snapshot().series[0]?.points).toEqual([{ t: now - 500, v: 100 }]);
  });

  it('says how far apart points may be before the chart breaks the line: a few ticks, or a few intervals', async () => {
    let tickMs = 100;
    const svc = preview([], { resolutionMs: 500, tickMs: () => tickMs });
    expect((await svc.refresh()).gapMs).toBe(1_500);
    tickMs = 10_000; // 0.1 ticks/s
    expect((await svc.refresh()).gapMs).toBe(30_000);
  });

  it('selects the shown walks with tag equalities, which InfluxDB reads by series, not contains()', async () => {
    expect(walkPredicate(['w0001', 'w"2'])).toBe('r.walk == "w0001" or r.walk == "w\\"2"');
    const influx = fakeInflux([{ walk: 'w0000', t: 1_800_000_000_000 - 1_000, v: 1 }]);
    const svc = preview([], { query: influx, now: () => 1_800_000_000_000 });
    await svc.refresh();
    expect(influx.queries.at(-1)).toContain('filter(fn: (r) => r.walk == "w0000")');
    expect(influx.queries.join('\n')).not.toContain('contains(');
  });

  it('reads every walk only every 10 s; the refreshes between read the shown walks, and their freshness follows', async () => {
    let now = 1_800_000_000_000;
    const pts: FakePoint[] = [
      { walk: 'w0000', t: now - 1_000, v: 1 },
      { walk: 'w0001', t: now - 1_000, v: 1 },
    ];
    const influx = fakeInflux(pts);
    const svc = preview([], { query: influx, walkLimit: () => 1, now: () => now });
    const discoveries = () => influx.queries.filter((q) => !q.includes('yield(name: "newest")')).length;
    await svc.refresh();
    for (let i = 1; i <= 9; i++) {
      now += 1_000;
      pts.push({ walk: 'w0000', t: now - 100, v: i }, { walk: 'w0001', t: now - 100, v: i });
      const u = await svc.refresh();
      expect(u.series[0]).toMatchObject({ walk: 'w0000', lastValue: i, freshnessMs: 100 });
      expect(u.hiddenWalks).toBe(1);
    }
    expect(discoveries()).toBe(1);
    expect(
      influx.queries.slice(1).every((q) => q.includes('r.walk == "w0000"') && !q.includes('"w0001"')),
    ).toBe(true);
    now += 1_000;
    await svc.refresh();
    expect(discoveries()).toBe(2);
  });

  it('shows a walk that started writing between two discoveries at the next one', async () => {
    let now = 1_800_000_000_000;
    const pts: FakePoint[] = [{ walk: 'w0001', t: now - 500, v: 1 }];
    const svc = preview(pts, { now: () => now });
    expect((await svc.refresh()).series.map((s) => s.walk)).toEqual(['w0001']);
    pts.push({ walk: 'w0000', t: now + 500, v: 2 });
    now += 1_000;
    expect((await svc.refresh()).series.map((s) => s.walk)).toEqual(['w0001']);
    now += 9_000;
    expect((await svc.refresh()).series.map((s) => s.walk)).toEqual(['w0000', 'w0001']);
  });
});
