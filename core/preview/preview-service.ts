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

/**
 * The live chart's data: the last 60 s of the first N walks from InfluxDB, downsampled, refreshed
 * every second as increments (only points newer than what was already sent, plus the still-open
 * last interval, which a UI replaces by timestamp), with each walk's data freshness.
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
      this.resetPending = true;
    }
    const windowStart = Math.max(now - this.windowMs, run ?? 0);
    const lastRows = await this.opts.query.collectRows<{ walk: string; _time: string; _value: number }>(
      `from(bucket: ${JSON.stringify(this.opts.bucket())})
  |> range(start: ${new Date(windowStart).toISOString()})
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "value")
  |> last()
  |> keep(columns: ["walk", "_time", "_value"])`,
    );
    const walks = lastRows.map((r) => r.walk).sort();
    const shown = walks.slice(0, this.opts.walkLimit());
    this.hidden = walks.length - shown.length;
    this.freshness = new Map(lastRows.map((r) => [r.walk, { t: Date.parse(r._time), v: r._value }]));
    for (const walk of [...this.buffers.keys()]) if (!shown.includes(walk)) this.buffers.delete(walk);
    if (shown.length === 0) return this.increment([], () => false);

    const newestKnown = Math.min(...shown.map((w) => this.buffers.get(w)?.at(-1)?.t ?? windowStart));
    // Re-read the last, still-filling interval: its downsampled value changes as points arrive.
    const since = Math.max(windowStart, newestKnown - this.resolutionMs);
    const rows = await this.opts.query.collectRows<{ walk: string; _time: string; _value: number }>(
      `from(bucket: ${JSON.stringify(this.opts.bucket())})
  |> range(start: ${new Date(since).toISOString()})
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "value")
  |> filter(fn: (r) => ${walkPredicate(shown)})
  |> aggregateWindow(every: ${this.resolutionMs}ms, fn: last, createEmpty: false, timeSrc: "_start")
  |> keep(columns: ["walk", "_time", "_value"])`,
    );
    for (const r of rows) {
      const t = Date.parse(r._time);
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
 * `r.walk == "a" or r.walk == "b" …`: InfluxDB hands tag equalities to its storage engine, which
 * then reads only those walks' series. `contains(value: r.walk, set: …)` is evaluated in Flux after
 * every walk's points were read: with it, at 10 000 points/s over 100 walks, the pipeline fell behind
 * whenever the app was open (npm run bench, twice: p99 9.4 s and 15.8 s); with equalities it kept up.
 */
export function walkPredicate(walks: readonly string[]): string {
  return walks.map((w) => `r.walk == ${JSON.stringify(w)}`).join(' or ');
}
