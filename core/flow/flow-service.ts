import { WalkLineEncoder } from '@walkstream/producer';
import type {
  ActiveFault,
  FlowStatus,
  KafkaStats,
  PreviewUpdate,
  ProducerStatus,
  StackStatus,
  TelegrafStats,
} from '../contract/data';
import type { EventHub } from '../events/event-hub';
import type { FluxRows } from '../preview/preview-service';
import { LatencyRing, ProgressWatch, RateMeter, RecentGrowth, RunCounter } from './flow-math';
import {
  newPointsQuery,
  probeInterval,
  readStored,
  type StoredRow,
  sampledWalks,
  sampleStride,
  storedQuery,
} from './flow-queries';
import type { FlowSignals } from './flow-signals';
import { buildFlowStatus } from './flow-status';

export interface FlowServiceOptions {
  hub: EventHub;
  /** InfluxDB, with a short timeout: a paused InfluxDB must not hold the strip. */
  query: FluxRows;
  /** Read per query: connect mode's bucket is a setting that can change while the app runs. */
  bucket: () => string;
  /** Whether the headless `producer` container runs; asked every few seconds. */
  headlessProducer?: () => Promise<boolean>;
  intervalMs?: number;
  /**
   * How often InfluxDB is asked for new points of the sampled walks (the latency's resolution);
   * by default it follows the run's rate (probeInterval).
   */
  probeMs?: number;
  now?: () => number;
}

const LATENCY_WINDOW_MS = 60_000;
const SAMPLED_WALKS = 6;
/** Rows one latency probe may return; a stride over seq keeps high rates near it. */
const PROBE_ROWS = 120;
const PROBE_ROWS_PER_WALK = 200;
/** The strip waits this long for its InfluxDB count before publishing without it. */
const QUERY_WAIT_MS = 400;
const HEADLESS_CHECK_MS = 5_000;
/** With no run of the app's own, the stored count is not shown; only the newest point's age is. */
const IDLE_STORED_QUERY_MS = 5_000;

/**
 * Where the data is, hop by hop, every second: the figures the other services push anyway
 * (producer metrics, Kafka offsets, Telegraf's counters, the stack's containers, chaos faults),
 * one cheap InfluxDB count of this run's points, and a latency probe that reads only the new
 * points of a few sampled walks. Totals count from the producer's current run.
 */
export class FlowService {
  private stack: StackStatus | null = null;
  private producer: ProducerStatus | null = null;
  private kafka: KafkaStats | null = null;
  private telegraf: TelegrafStats | null = null;
  private faults: ActiveFault[] = [];
  private chartNewestAt: number | null = null;
  private headless = false;
  private headlessCheckedAt = 0;
  private influx: FlowSignals['influx'] = { stored: null, newestAt: null, error: null };

  private runStartedAt: number | null = null;
  private producing = false;
  private stoppedAt: number | null = null;
  private readonly counters = {
    kafkaMessages: new RunCounter(),
    consumed: new RunCounter(),
    written: new RunCounter(),
    dropped: new RunCounter(),
  };
  private readonly meters = {
    generated: new RateMeter(),
    acknowledged: new RateMeter(),
    consumed: new RateMeter(),
    written: new RateMeter(),
    stored: new RateMeter(),
  };
  private readonly watches = {
    acknowledged: new ProgressWatch(),
    consumed: new ProgressWatch(),
    written: new ProgressWatch(),
  };
  private readonly writeErrors = new RecentGrowth();
  private readonly skippedTicks = new RecentGrowth();
  private readonly latency = new LatencyRing(LATENCY_WINDOW_MS);
  /** Per sampled walk, the newest point already seen (epoch ms). */
  private lastSeen = new Map<string, number>();
  private readonly walkIds = new WalkLineEncoder();

  private timer: NodeJS.Timeout | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private ticking = false;
  private probing = false;
  private storedQuery: Promise<void> | null = null;
  private storedQueriedAt = Number.NEGATIVE_INFINITY;
  private offs: (() => void)[] = [];
  private latest: FlowStatus | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: FlowServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The latency probe's interval now: set, or by the current run's rate. */
  private probeMs(): number {
    const params = this.producer?.params;
    return this.opts.probeMs ?? probeInterval(params ? params.walks * params.rate : 0);
  }

  init(): void {
    const hub = this.opts.hub;
    this.offs = [
      hub.subscribe('stack:status', (s) => {
        this.stack = s;
      }),
      hub.subscribe('producer:status', (p) => this.onProducer(p)),
      hub.subscribe('kafka:stats', (k) => this.onKafka(k)),
      hub.subscribe('telegraf:stats', (t) => this.onTelegraf(t)),
      hub.subscribe('chaos:status', (c) => {
        this.faults = c.faults;
      }),
      hub.subscribe('preview:update', (u) => this.onPreview(u)),
    ];
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs ?? 1_000);
    this.scheduleProbe();
  }

  /** One probe after another, each interval read anew: the run's rate may change. */
  private scheduleProbe(): void {
    this.probeTimer = setTimeout(() => {
      void this.probe().finally(() => {
        if (this.timer) this.scheduleProbe();
      });
    }, this.probeMs());
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    if (this.timer) clearInterval(this.timer);
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.timer = null;
    this.probeTimer = null;
  }

  /** The last published status, or one computed now from what is known. */
  status(): FlowStatus {
    return this.latest ?? this.compute();
  }

  /** One refresh: the InfluxDB count (waited for briefly), then the status published. */
  async tick(): Promise<FlowStatus | null> {
    if (this.ticking) return null; // a slow refresh skips ticks instead of piling them up
    this.ticking = true;
    try {
      this.checkHeadless();
      const now = this.now();
      if (this.runStartedAt !== null || now - this.storedQueriedAt >= IDLE_STORED_QUERY_MS) {
        this.storedQueriedAt = now;
        this.storedQuery ??= this.queryStored().finally(() => {
          this.storedQuery = null;
        });
      }
      if (this.storedQuery)
        await Promise.race([this.storedQuery, new Promise((r) => setTimeout(r, QUERY_WAIT_MS))]);
      this.latest = this.compute();
      this.opts.hub.publish('flow:status', this.latest);
      return this.latest;
    } finally {
      this.ticking = false;
    }
  }

  /** One latency probe: the sampled walks' points newer than the newest seen of each. */
  async probe(): Promise<void> {
    const run = this.runStartedAt;
    const params = this.producer?.params;
    if (this.probing || run === null || !params) return;
    const now = this.now();
    if (!this.producing && (this.stoppedAt === null || now - this.stoppedAt > LATENCY_WINDOW_MS)) return;
    this.probing = true;
    try {
      const walks = sampledWalks(params.walks, SAMPLED_WALKS, (i) => this.walkIds.walkId(i));
      const known = [...this.lastSeen.values()];
      // A walk joining the sample mid-run starts where the others are: its older points were not
      // watched arriving, so their first-seen time is unknown.
      const joinAt = known.length > 0 ? Math.max(...known) : run - 1;
      const floor = now - LATENCY_WINDOW_MS;
      const since = walks.map((walk) => {
        if (!this.lastSeen.has(walk)) this.lastSeen.set(walk, joinAt);
        return { walk, afterMs: Math.max(this.lastSeen.get(walk) as number, floor) };
      });
      const stride = sampleStride(walks.length, params.rate, this.probeMs(), PROBE_ROWS);
      const rows = await this.opts.query.collectRows<{ walk: string; _time: string }>(
        newPointsQuery(this.opts.bucket(), since, stride, PROBE_ROWS_PER_WALK),
      );
      if (this.runStartedAt !== run) return; // a new run began while asking
      const seenAt = this.now();
      for (const r of rows) {
        const t = Date.parse(r._time);
        const last = this.lastSeen.get(r.walk) ?? joinAt;
        if (!(t > last)) continue;
        this.latency.add(seenAt, seenAt - t);
        this.lastSeen.set(r.walk, t);
      }
    } catch {
      // InfluxDB down or slow: the tick's own query reports it; the probe just sees nothing new.
    } finally {
      this.probing = false;
    }
  }

  private async queryStored(): Promise<void> {
    const run = this.runStartedAt;
    const now = this.now();
    try {
      const rows = await this.opts.query.collectRows<StoredRow>(
        storedQuery(this.opts.bucket(), run ?? now - LATENCY_WINDOW_MS),
      );
      if (this.runStartedAt !== run) return;
      const { stored, newestAt } = readStored(rows);
      this.influx = { stored: run === null ? null : (stored ?? 0), newestAt, error: null };
      if (run !== null) this.meters.stored.add(this.now(), stored ?? 0);
    } catch (err) {
      const e = err as { statusCode?: unknown; message?: unknown };
      this.influx = {
        ...this.influx,
        error: {
          status: typeof e.statusCode === 'number' ? e.statusCode : null,
          message: String(e.message ?? err),
        },
      };
    }
  }

  private checkHeadless(): void {
    const check = this.opts.headlessProducer;
    const now = this.now();
    if (!check || now - this.headlessCheckedAt < HEADLESS_CHECK_MS) return;
    this.headlessCheckedAt = now;
    check().then(
      (running) => {
        this.headless = running;
      },
      () => {},
    );
  }

  private onProducer(p: ProducerStatus): void {
    const now = this.now();
    this.producer = p;
    if (p.startedAt !== this.runStartedAt) this.newRun(p.startedAt);
    const producing = p.state === 'starting' || p.state === 'running';
    if (this.producing && !producing) this.stoppedAt = now;
    this.producing = producing;
    const m = p.metrics;
    if (!m) return;
    this.meters.generated.add(now, m.pointsGenerated);
    this.meters.acknowledged.add(now, m.pointsProduced);
    this.watches.acknowledged.observe(m.pointsProduced, now);
    this.skippedTicks.add(now, m.ticksSkipped);
  }

  private newRun(startedAt: number | null): void {
    this.runStartedAt = startedAt;
    this.stoppedAt = null;
    for (const c of Object.values(this.counters)) c.reset();
    for (const m of Object.values(this.meters)) m.clear();
    for (const w of Object.values(this.watches)) w.reset();
    this.writeErrors.clear();
    this.skippedTicks.clear();
    this.latency.clear();
    this.lastSeen = new Map();
    this.influx = { ...this.influx, stored: null };
  }

  private onKafka(k: KafkaStats): void {
    this.kafka = k;
    if (!k.reachable || this.runStartedAt === null) return;
    this.counters.kafkaMessages.observe(k.partitions.reduce((a, p) => a + p.endOffset, 0));
  }

  private onTelegraf(t: TelegrafStats): void {
    const now = this.now();
    this.telegraf = t;
    if (!t.reachable) return;
    if (this.runStartedAt !== null) {
      this.counters.consumed.observe(t.consumedPoints);
      this.counters.written.observe(t.writtenPoints);
      this.counters.dropped.observe(t.droppedPoints);
    }
    if (t.consumedPoints !== null) this.meters.consumed.add(now, t.consumedPoints);
    if (t.writtenPoints !== null) this.meters.written.add(now, t.writtenPoints);
    if (t.writeErrors !== null) this.writeErrors.add(now, t.writeErrors);
    this.watches.consumed.observe(t.consumedPoints, now);
    this.watches.written.observe(t.writtenPoints, now);
  }

  private onPreview(u: PreviewUpdate): void {
    const ages = u.series.map((s) => s.freshnessMs).filter((a): a is number => a !== null);
    if (ages.length > 0) this.chartNewestAt = u.at - Math.min(...ages);
  }

  /** The acknowledged count when Telegraf last counted what it consumed, if its stamp is believable. */
  private acknowledgedWhenConsumed(now: number): number | null {
    const at = this.telegraf?.reachable ? this.telegraf.consumedAt : null;
    // Telegraf's clock may be a VM's: a stamp from the future, or older than the kept history
    // (a Telegraf that stopped counting), is not used.
    if (at === null || at > now || now - at > 3_000) return null;
    return this.meters.acknowledged.valueAt(at);
  }

  private compute(): FlowStatus {
    const now = this.now();
    const params = this.producer?.params;
    const signals: FlowSignals = {
      now,
      stack: this.stack,
      producer: this.producer,
      kafka: this.kafka,
      telegraf: this.telegraf,
      faults: this.faults,
      headlessProducer: this.headless,
      influx: this.influx,
      chartNewestAt: this.chartNewestAt,
      run: {
        startedAt: this.runStartedAt,
        producing: this.producing,
        stoppedForMs: this.stoppedAt === null ? null : now - this.stoppedAt,
        askedPerSecond: params ? params.walks * params.rate : 0,
        kafkaMessages: this.counters.kafkaMessages.total,
        consumed: this.counters.consumed.total,
        acknowledgedWhenConsumed: this.acknowledgedWhenConsumed(now),
        written: this.counters.written.total,
        dropped: this.counters.dropped.total,
        recentWriteErrors: this.writeErrors.growth(),
        recentSkippedTicks: this.skippedTicks.growth() ?? 0,
      },
      rates: {
        generated: this.meters.generated.rate(now),
        acknowledged: this.meters.acknowledged.rate(now),
        consumed: this.meters.consumed.rate(now),
        written: this.meters.written.rate(now),
        stored: this.meters.stored.rate(now),
      },
      stillMs: {
        acknowledged: this.watches.acknowledged.stillForMs(now),
        consumed: this.watches.consumed.stillForMs(now),
        written: this.watches.written.stillForMs(now),
      },
    };
    return buildFlowStatus(signals, {
      ...this.latency.summary(now),
      windowSeconds: LATENCY_WINDOW_MS / 1000,
      probeMs: this.probeMs(),
    });
  }
}
