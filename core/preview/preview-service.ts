import type { PreviewPoint, PreviewSeries, PreviewUpdate } from '../contract/data';
import type { EventHub } from '../events/event-hub';
import { Poller } from '../events/poller';

export interface FluxRows {
  collectRows<T>(query: string): Promise<T[]>;
}

export interface PreviewServiceOptions {
  query: FluxRows;
  /** Read per query: connect mode's bucket is a setting that can change while the app runs. */
  bucket: () => string;
  hub: EventHub;
  /** How many walks the chart shows; the rest are counted as hidden. */
  walkLimit: () => number;
  windowSeconds?: number;
  /** Points per series are downsampled to one per this many ms (≤ window / resolution points). */
  resolutionMs?: number;
  intervalMs?: number;
  now?: () => number;
  /** When the producer's current run began: the chart shows that run only, from a clean slate. */
  runStartedAt?: () => number | null;
  /** The producer's tick period: points further apart than a few of these have a gap between them. */
  tickMs?: () => number;
}

/** Consecutive points this many periods apart (ticks, or the downsampling interval) are not joined. */
const GAP_PERIODS = 3;
/** How often the set of walks is read again: a new walk appears on the chart within this. */
const DISCOVERY_MS = 10_000;
/** The increment query's second result: each shown walk's newest point, for its freshness. */
const NEWEST = 'newest';

interface PreviewRow {
  walk: string;
  _time: string;
  _value: number;
  result?: string;
}

/**
 * The live chart's data: the last 60 s of the first N walks from InfluxDB, downsampled, refreshed
 * every second as increments (only points newer than what was already sent, plus the still-open
 * last interval, which a UI replaces by timestamp), with each walk's data freshness. Each refresh
 * reads only the shown walks; the set of walks is read every few seconds.
 */
export class PreviewService {
  private buffers = new Map<string, PreviewPoint[]>();
  private readonly poller: Poller;
  private readonly windowMs: number;
  private readonly resolutionMs: number;
  private readonly now: () => number;
  private hidden = 0;
  private freshness = new Map<string, { t: number; v: number }>();
  private run: number | null = null;
  private resetPending = false;
  /** Every walk with data in the window, sorted, as of the last discovery. */
  private walks: string[] = [];
  private discoveredAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: PreviewServiceOptions) {
    this.windowMs = (opts.windowSeconds ?? 60) * 1000;
    this.resolutionMs = opts.resolutionMs ?? 500;
    this.now = opts.now ?? Date.now;
    // InfluxDB down or restarting: the poll fails, what we have stays, freshness ages in the UI.
    this.poller = new Poller(
      async () => this.opts.hub.publish('preview:update', await this.refresh()),
      opts.intervalMs,
    );
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  /** Everything currently held, as a reset update (for a UI that just connected). */
  snapshot(): PreviewUpdate {
    return this.update(true, [...this.buffers.keys()], () => true);
  }

  /** One refresh: returns the increment (exposed for tests). */
  async refresh(): Promise<PreviewUpdate> {
    const now = this.now();
    const run = this.opts.runStartedAt?.() ?? null;
    if (run !== this.run) {
      // A new run: the old run's points must not stay on the chart joined to the new ones.
      this.run = run;
      this.buffers.clear();
      this.freshness.clear();
      this.walks = [];
      this.resetPending = true;
    }
    const windowStart = Math.max(now - this.windowMs, run ?? 0);
    if (this.walks.length === 0 || now - this.discoveredAt >= DISCOVERY_MS)
      await this.discover(windowStart, now);
    const shown = this.walks.slice(0, this.opts.walkLimit());
    this.hidden = this.walks.length - shown.length;
    for (const walk of [...this.buffers.keys()]) if (!shown.includes(walk)) this.buffers.delete(walk);
    if (shown.length === 0) return this.increment([], () => false);

    const newestKnown = Math.min(...shown.map((w) => this.buffers.get(w)?.at(-1)?.t ?? windowStart));
    // Re-read the last, still-filling interval: its downsampled value changes as points arrive.
    const since = Math.max(windowStart, newestKnown - this.resolutionMs);
    const rows = await this.opts.query.collectRows<PreviewRow>(
      incrementQuery(this.opts.bucket(), since, shown, this.resolutionMs),
    );
    for (const r of rows) {
      const t = Date.parse(r._time);
      if (r.result === NEWEST) {
        this.freshness.set(r.walk, { t, v: r._value });
        continue;
      }
      const buf = this.buffers.get(r.walk) ?? [];
      const i = buf.findIndex((p) => p.t >= t);
      if (i === -1) buf.push({ t, v: r._value });
      else if (buf[i]?.t === t) buf[i] = { t, v: r._value };
      else buf.splice(i, 0, { t, v: r._value });
      this.buffers.set(r.walk, buf);
    }
    const cutoff = now - this.windowMs;
    for (const [walk, buf] of this.buffers)
      this.buffers.set(
        walk,
        buf.filter((p) => p.t >= cutoff),
      );
    return this.increment(shown, (p) => p.t >= since);
  }

  /**
   * Which walks have data in the window (and each one's newest point). It reads every walk, so it
   * runs every DISCOVERY_MS, not every refresh: InfluxDB copies all of a series' in-memory points
   * for each read of it (tsm1 Cache.Values), which at 10 000 points/s made this one query most of
   * what the app cost the pipeline.
   */
  private async discover(windowStart: number, now: number): Promise<void> {
    const rows = await this.opts.query.collectRows<PreviewRow>(
      `from(bucket: ${JSON.stringify(this.opts.bucket())})
  |> range(start: ${new Date(windowStart).toISOString()})
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "value")
  |> last()
  |> keep(columns: ["walk", "_time", "_value"])`,
    );
    this.walks = rows.map((r) => r.walk).sort();
    this.freshness = new Map(rows.map((r) => [r.walk, { t: Date.parse(r._time), v: r._value }]));
    this.discoveredAt = now;
  }

  /** The update after a refresh: everything held, once, after a new run cleared the chart. */
  private increment(walks: string[], include: (p: PreviewPoint) => boolean): PreviewUpdate {
    const reset = this.resetPending;
    this.resetPending = false;
    return this.update(reset, walks, reset ? () => true : include);
  }

  private update(reset: boolean, walks: string[], include: (p: PreviewPoint) => boolean): PreviewUpdate {
    const now = this.now();
    const series: PreviewSeries[] = walks.map((walk) => {
      const last = this.freshness.get(walk);
      return {
        walk,
        points: (this.buffers.get(walk) ?? []).filter(include),
        lastValue: last?.v ?? null,
        freshnessMs: last ? Math.max(0, now - last.t) : null,
      };
    });
    const gapMs = GAP_PERIODS * Math.max(this.resolutionMs, this.opts.tickMs?.() ?? 0);
    return { reset, series, gapMs, hiddenWalks: this.hidden, windowSeconds: this.windowMs / 1000, at: now };
  }
}

/**
 * The shown walks' points since `since`, downsampled, and (second result) each one's newest point:
 * one request, one read of those series.
 */
export function incrementQuery(
  bucket: string,
  since: number,
  walks: readonly string[],
  resolutionMs: number,
): string {
  return `data = from(bucket: ${JSON.stringify(bucket)})
  |> range(start: ${new Date(since).toISOString()})
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "value")
  |> filter(fn: (r) => ${walkPredicate(walks)})
data
  |> aggregateWindow(every: ${resolutionMs}ms, fn: last, createEmpty: false, timeSrc: "_start")
  |> keep(columns: ["walk", "_time", "_value"])
  |> yield(name: "points")
data
  |> last()
  |> keep(columns: ["walk", "_time", "_value"])
  |> yield(name: "${NEWEST}")`;
}

/**
 * `r.walk == "a" or r.walk == "b" …`: InfluxDB hands tag equalities to its storage engine, which
 * then reads only those walks' series. `contains(value: r.walk, set: …)` is evaluated in Flux after
 * every walk's points were read: with it, at 10 000 points/s over 100 walks, the pipeline fell behind
 * whenever the app was open (npm run bench, twice: p99 9.4 s and 15.8 s); with equalities it kept up.
 */
export function walkPredicate(walks: readonly string[]): string {
  return walks.map((w) => `r.walk == ${JSON.stringify(w)}`).join(' or ');
}
