/**
 * The two Flux queries behind the flow strip, both cheap whatever the run's length: one row per
 * run (stored points and newest point, from each walk's last point) and, for latency, only the
 * points of a few sampled walks that were not seen yet.
 */

/** The app's producer names its walks w0000, w0001, …; other writers (tests, benches) do not. */
const OWN_WALK = '/^w[0-9]+$/';

/**
 * Points this run stored and the newest one's time. Each walk's seq counts from 0 in a run and
 * each walk arrives in order, so its last seq + 1 is how many of its points are stored: `last()`
 * reads one point per walk, where `count()` would read them all.
 */
export function storedQuery(bucket: string, runStartedAt: number): string {
  return `from(bucket: ${JSON.stringify(bucket)})
  |> range(start: ${new Date(runStartedAt).toISOString()})
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "seq" and r.walk =~ ${OWN_WALK})
  |> last()
  |> group()
  |> reduce(
    identity: {stored: 0, newest: 0},
    fn: (r, accumulator) => ({
      stored: accumulator.stored + r._value + 1,
      newest: if int(v: r._time) > accumulator.newest then int(v: r._time) else accumulator.newest,
    }),
  )`;
}

export interface StoredRow {
  stored: number;
  /** Nanoseconds since the epoch. */
  newest: number;
}

/** `stored` and the newest point's epoch ms; both null when the run has stored nothing yet. */
export function readStored(rows: StoredRow[]): { stored: number | null; newestAt: number | null } {
  const row = rows[0];
  if (!row || !(row.stored > 0)) return { stored: null, newestAt: null };
  return { stored: Number(row.stored), newestAt: Math.floor(Number(row.newest) / 1e6) };
}

/** Up to `max` walk ids spread over the walks, so more than one Kafka partition is sampled. */
export function sampledWalks(walks: number, max: number, walkId: (i: number) => string): string[] {
  const n = Math.min(walks, max);
  return Array.from({ length: n }, (_, j) => walkId(Math.floor((j * walks) / n)));
}

/**
 * How often the latency probe asks InfluxDB, by the points/s the run asks for. Each probe is one
 * Flux query, and a query costs InfluxDB about 10 ms of CPU whatever it reads (measured at 10 000
 * points/s: asking every 100 ms took 103 ms of CPU per second, every 250 ms 33 ms): as often as the
 * benchmark's clock while that is cheap beside the run, less often as the run takes the machine.
 * The latency shown is an upper bound by up to this much.
 */
export function probeInterval(askedPerSecond: number): number {
  return askedPerSecond <= 1_000 ? 100 : askedPerSecond <= 10_000 ? 250 : 500;
}

/**
 * Every `stride`-th point would be enough to measure with; the stride keeps a probe near
 * `maxRows` rows at any rate (at 10 000 ticks/s one walk alone has 2 500 points per 250 ms).
 */
export function sampleStride(
  walksSampled: number,
  ticksPerSecond: number,
  probeMs: number,
  maxRows: number,
): number {
  return Math.max(1, Math.ceil((walksSampled * ticksPerSecond * probeMs) / 1000 / maxRows));
}

/**
 * The points of each sampled walk newer than the last one seen of that walk, in one read: a single
 * range from the oldest of those times, each walk cut at its own (Flux evaluates the time filter
 * after reading, but one read of six series costs InfluxDB less than six reads in a union —
 * measured, 5 ms against 9 ms of CPU per probe). Each walk's points are limited, so catching up
 * after an outage costs a few probes, not one huge one.
 */
export function newPointsQuery(
  bucket: string,
  since: { walk: string; afterMs: number }[],
  stride: number,
  perWalkLimit: number,
): string {
  const start = Math.min(...since.map((s) => s.afterMs)) + 1;
  const walks = since.map(({ walk }) => `r.walk == ${JSON.stringify(walk)}`).join(' or ');
  const after = since
    .map(
      ({ walk, afterMs }) =>
        `(r.walk == ${JSON.stringify(walk)} and r._time > ${new Date(afterMs).toISOString()})`,
    )
    .join(' or ');
  return `from(bucket: ${JSON.stringify(bucket)})
  |> range(start: ${new Date(start).toISOString()})
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "seq" and (${walks}))
  |> filter(fn: (r) => ${after})${stride > 1 ? `\n  |> filter(fn: (r) => r._value % ${stride} == 0)` : ''}
  |> limit(n: ${perWalkLimit})
  |> keep(columns: ["walk", "_time"])`;
}
