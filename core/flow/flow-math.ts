/**
 * The small arithmetic behind the flow strip: rates from counters, run totals from counters that
 * restart, how long a value has not moved, backlogs as seconds of data. Times are passed in, so
 * each piece is tested without a clock.
 */

/** Points per second from a counter's recent samples; a counter that went down restarted. */
export class RateMeter {
  private samples: { t: number; v: number }[] = [];

  constructor(
    /** The rate is averaged over this much history: one-second samples are jittery. */
    private readonly windowMs = 3_000,
    /** No sample for this long: the rate is unknown, not the last one seen. */
    private readonly staleMs = 3_500,
  ) {}

  add(t: number, v: number): void {
    const last = this.samples.at(-1);
    if (last && v < last.v) this.samples = [];
    this.samples.push({ t, v });
    const keepFrom = t - this.windowMs;
    while (this.samples.length > 2 && (this.samples[0]?.t ?? t) < keepFrom) this.samples.shift();
  }

  /**
   * The value at `t`, interpolated between the samples around it (the newest one after the last
   * sample); null when the history does not reach back that far.
   */
  valueAt(t: number): number | null {
    const after = this.samples.findIndex((s) => s.t > t);
    if (after === 0) return null;
    const before = this.samples[after === -1 ? this.samples.length - 1 : after - 1];
    const next = after === -1 ? undefined : this.samples[after];
    if (!before) return null;
    if (!next) return before.v;
    return before.v + ((next.v - before.v) * (t - before.t)) / (next.t - before.t);
  }

  rate(now: number): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || now - last.t > this.staleMs) return null;
    if (last.t === first.t) return null;
    return Math.max(0, ((last.v - first.v) * 1000) / (last.t - first.t));
  }

  clear(): void {
    this.samples = [];
  }
}

/**
 * How much a counter of another process (Telegraf's, Kafka's end offsets) grew since a run began.
 * The first value seen is the baseline; a value lower than the previous one means the process
 * restarted and counts from zero again, so it is added rather than subtracted.
 */
export class RunCounter {
  private base: number | null = null;
  private last = 0;
  private carried = 0;

  observe(value: number | null): void {
    if (value === null) return;
    if (this.base === null) {
      this.base = value;
    } else if (value < this.last) {
      this.carried += this.last - this.base;
      this.base = 0;
    }
    this.last = value;
  }

  /** Null until a first value was seen. */
  get total(): number | null {
    return this.base === null ? null : this.carried + this.last - this.base;
  }

  reset(): void {
    this.base = null;
    this.last = 0;
    this.carried = 0;
  }
}

/** How much a counter grew over the last `windowMs` (a restart counts from zero). */
export class RecentGrowth {
  private samples: { t: number; v: number }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  add(t: number, v: number): void {
    this.samples.push({ t, v });
    while ((this.samples[0]?.t ?? t) < t - this.windowMs) this.samples.shift();
  }

  growth(): number | null {
    if (this.samples.length === 0) return null;
    let sum = 0;
    for (let i = 1; i < this.samples.length; i++) {
      const prev = (this.samples[i - 1] as { v: number }).v;
      const v = (this.samples[i] as { v: number }).v;
      sum += v >= prev ? v - prev : v;
    }
    return sum;
  }

  clear(): void {
    this.samples = [];
  }
}

/** When a counter last grew: a hop holding data whose output has not grown for a while is stalled. */
export class ProgressWatch {
  private value: number | null = null;
  private movedAt: number | null = null;

  observe(value: number | null, at: number): void {
    if (value === null) return;
    if (this.value === null || value !== this.value) this.movedAt = at;
    this.value = value;
  }

  /** How long the value has not changed; 0 before it is known. */
  stillForMs(now: number): number {
    return this.movedAt === null ? 0 : Math.max(0, now - this.movedAt);
  }

  reset(): void {
    this.value = null;
    this.movedAt = null;
  }
}

/** A backlog in seconds of data at `ratePerSecond`; unknown when nothing flows to measure it by. */
export function backlogSeconds(backlog: number | null, ratePerSecond: number | null): number | null {
  if (backlog === null) return null;
  if (backlog <= 0) return 0;
  if (ratePerSecond === null || ratePerSecond <= 0) return null;
  return backlog / ratePerSecond;
}

/** The q-quantile (0..1) of ascending `sorted`, nearest rank; null when empty. */
export function percentile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

/**
 * Latencies seen in the last `windowMs`, in a fixed ring: memory stays bounded however many points
 * arrive; past `capacity` samples within the window the oldest go first.
 */
export class LatencyRing {
  private seenAt: Float64Array;
  private latency: Float64Array;
  private start = 0;
  private size = 0;

  constructor(
    private readonly windowMs = 60_000,
    private readonly capacity = 30_000,
  ) {
    this.seenAt = new Float64Array(capacity);
    this.latency = new Float64Array(capacity);
  }

  add(seenAt: number, latencyMs: number): void {
    const i = (this.start + this.size) % this.capacity;
    this.seenAt[i] = seenAt;
    this.latency[i] = latencyMs;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** p50 and p99 of the samples seen within the window before `now`. */
  summary(now: number): { p50Ms: number | null; p99Ms: number | null; samples: number } {
    while (this.size > 0 && (this.seenAt[this.start] as number) < now - this.windowMs) {
      this.start = (this.start + 1) % this.capacity;
      this.size--;
    }
    const values = new Float64Array(this.size);
    for (let k = 0; k < this.size; k++) values[k] = this.latency[(this.start + k) % this.capacity] as number;
    values.sort();
    return { p50Ms: percentile(values, 0.5), p99Ms: percentile(values, 0.99), samples: this.size };
  }

  clear(): void {
    this.start = 0;
    this.size = 0;
  }
}
