/**
 * The benchmark's latency clock for a run the bench does not produce itself (the app's own
 * producer): every pollMs, InfluxDB is asked for the points of the watched walks not seen yet;
 * each point's latency = when that answer arrived − its stored timestamp, which the producer sets
 * to the time its tick was scheduled for. An upper bound, with one poll interval plus the query's
 * own duration as resolution, like bench/lib/e2e-rate.ts (which reads each walk's last seq and
 * fills the seqs between from the ticks it recorded; here every new point is read, as there are
 * no recorded ticks, and at the app's rates that is a few rows per poll).
 */
import type { FluxRunner } from './e2e-rate';
import { everyInterval, percentile } from './stats';
import { rfc3339ToMs } from './tick-times';

export interface QueryableSample {
  /** Epoch ms when the poll that first returned the point answered. */
  seenAt: number;
  latencyMs: number;
}

export interface QueryableWatch {
  /** Stops polling; every point seen, in the order seen. */
  stop(): Promise<QueryableSample[]>;
}

export interface QueryableWatchOptions {
  flux: FluxRunner;
  bucket: string;
  /** A Flux regex literal the watched walks' tag matches, e.g. /^w[0-9]+$/. */
  walkRegex: string;
  /** Points older than this (epoch ms) are not watched: they were queryable before the watch. */
  sinceMs: number;
  pollMs?: number;
}

export function watchQueryable(opts: QueryableWatchOptions): QueryableWatch {
  const pollMs = opts.pollMs ?? 100;
  const newest = new Map<string, number>();
  const samples: QueryableSample[] = [];
  let stopping = false;
  const loop = everyInterval(pollMs, async () => {
    if (stopping) return false;
    // Each walk arrives in order: nothing new is older than the newest point of the walk furthest behind.
    const from = newest.size > 0 ? Math.min(...newest.values()) : opts.sinceMs;
    const rows = await opts
      .flux<{ walk: string; _time: string }>(`from(bucket: ${JSON.stringify(opts.bucket)})
  |> range(start: ${new Date(from + 1).toISOString()})
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "seq" and r.walk =~ ${opts.walkRegex})
  |> keep(columns: ["walk", "_time"])`)
      .catch(() => []);
    const seenAt = Date.now();
    for (const r of rows) {
      const t = rfc3339ToMs(r._time);
      if (!(t > (newest.get(r.walk) ?? opts.sinceMs))) continue;
      samples.push({ seenAt, latencyMs: seenAt - t });
      newest.set(r.walk, t);
    }
    return true;
  });
  return {
    async stop() {
      stopping = true;
      await loop;
      return samples;
    },
  };
}

/** p50 and p99 of the samples first seen in [fromMs, toMs]. */
export function latencyBetween(
  samples: readonly QueryableSample[],
  fromMs: number,
  toMs: number,
): { p50Ms: number; p99Ms: number; samples: number } {
  const values = samples
    .filter((s) => s.seenAt >= fromMs && s.seenAt <= toMs)
    .map((s) => s.latencyMs)
    .sort((a, b) => a - b);
  return { p50Ms: percentile(values, 0.5), p99Ms: percentile(values, 0.99), samples: values.length };
}
