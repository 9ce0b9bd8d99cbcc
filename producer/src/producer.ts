import { EventEmitter } from 'node:events';
import { type Clock, systemClock } from './clock';
import { WalkstreamError } from './errors';
import { WalkLineEncoder } from './line-protocol';
import { LatencyWindow, type ProducerMetrics } from './producer-metrics';
import type { KeyedRecord, RecordSink, TopicSpec } from './record-sink';
import { SendLane } from './send-lane';
import { WalkModel } from './walk-model';
import { DEFAULT_PARAMS, mergeParams, type WalkParams, type WalkParamsPatch } from './walk-params';

export type ProducerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface ProducerOptions {
  sink: RecordSink;
  params?: WalkParamsPatch;
  topic?: Partial<TopicSpec>;
  measurement?: string;
  /** Prefix of the walk ids (`w` gives w0000, w0001, ...); tests use a unique one per run. */
  walkIdPrefix?: string;
  /** Stop after generating this many ticks (walks × maxTicks points): exact runs for tests. */
  maxTicks?: number;
  clock?: Clock;
  /** Most points held between generation and acknowledgement (at least two ticks' worth). */
  maxQueuedPoints?: number;
  /** Most points per send (sends to different partitions run side by side). */
  maxBatchPoints?: number;
  /** Most points of one walk packed into one Kafka message (1 = one point per message). */
  maxPointsPerMessage?: number;
  /** Behind schedule by more than this, whole ticks are skipped rather than generated late. */
  maxLagMs?: number;
  /** Stop after this many ms of running (the CLI's --duration). */
  durationMs?: number;
  metricsIntervalMs?: number;
  /** How long stop() waits for Kafka to take what was generated. */
  stopTimeoutMs?: number;
  /** Pause between retries of a send that kafkajs gave up on. */
  sendRetryDelayMs?: number;
  /**
   * How long a partition's points may wait for more ticks before they are sent, when walks tick at
   * least LINGER_FROM_TICKS_PER_SECOND times a second (0: never wait). Default LINGER_MS.
   */
  lingerMs?: number;
}

/**
 * At 100 ticks/s a message per walk per tick holds one point, and the brokers and Telegraf pay per
 * message (Telegraf's undelivered window counts messages): waiting 50 ms packs ~5 points per
 * message at 100 ticks/s, ~20 at 400. Slower walks gain too little per message to be held back.
 */
export const LINGER_MS = 50;
export const LINGER_FROM_TICKS_PER_SECOND = 50;

export interface StopReport {
  pointsGenerated: number;
  pointsProduced: number;
  /** Generated points that could not be delivered before the stop timeout. */
  undelivered: number;
}

export interface ProducerEvents {
  metrics: [ProducerMetrics];
  state: [ProducerState];
  error: [WalkstreamError];
  params: [WalkParams];
}

export interface WalkProducer {
  start(): Promise<void>;
  stop(): Promise<StopReport>;
  /** Validates and applies a partial update from the next tick on; throws InvalidParamsError. */
  setParams(patch: unknown): WalkParams;
  readonly params: WalkParams;
  readonly state: ProducerState;
  readonly topic: TopicSpec;
  metrics(): ProducerMetrics;
  on<E extends keyof ProducerEvents>(event: E, listener: (...args: ProducerEvents[E]) => void): () => void;
}

export const DEFAULT_TOPIC: Readonly<TopicSpec> = Object.freeze({
  topic: 'random-walks',
  partitions: 6,
  replicationFactor: 3,
  minInsyncReplicas: 2,
});

/** Most points generated in one go before yielding to the event loop (about 10 ms of work). */
const POINTS_PER_SLICE = 20_000;

export function createProducer(opts: ProducerOptions): WalkProducer {
  const clock = opts.clock ?? systemClock();
  const sink = opts.sink;
  const topic: TopicSpec = { ...DEFAULT_TOPIC, ...opts.topic };
  const maxBatch = opts.maxBatchPoints ?? 10_000;
  const maxPointsPerMessage = opts.maxPointsPerMessage ?? 100;
  const maxLagMs = opts.maxLagMs ?? 1_000;
  const metricsIntervalMs = opts.metricsIntervalMs ?? 1_000;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 30_000;
  const sendRetryDelayMs = opts.sendRetryDelayMs ?? 1_000;
  const lingerMs = opts.lingerMs ?? LINGER_MS;
  const emitter = new EventEmitter();
  // A listener throwing must not kill the producer, and 'error' events must not throw when unheard.
  emitter.on('error', () => {});

  let params = mergeParams(DEFAULT_PARAMS, opts.params ?? {});
  const model = new WalkModel(params);
  const encoder = new WalkLineEncoder(opts.measurement ?? 'random_walk', opts.walkIdPrefix ?? 'w');
  let capacity = queueCapacity(params);
  const latency = new LatencyWindow();
  // One lane per partition, each walk always in the same one (its key's partition), so each walk's
  // points stay in order; created once the sink knows the topic's partitions.
  let lanes: SendLane[] = [];
  const laneOfWalk: number[] = [];

  let state: ProducerState = 'idle';
  let nextTickAt = 0;
  let startedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let metricsTimer: NodeJS.Timeout | undefined;
  let sendersDone: Promise<unknown> = Promise.resolve();
  let stopDeadline = Number.POSITIVE_INFINITY;
  let stopping: Promise<StopReport> | undefined;

  const counters = { generated: 0, produced: 0, errors: 0, skipped: 0, ticks: 0, lastProduced: 0, lastAt: 0 };
  let lastError: ProducerMetrics['lastError'] = null;
  let lastLatency: ProducerMetrics['sendLatencyMs'] = null;
  let lastRate = 0;

  function queueCapacity(p: WalkParams): number {
    return Math.max(opts.maxQueuedPoints ?? 200_000, 2 * p.walks);
  }

  function setState(next: ProducerState): void {
    state = next;
    emitter.emit('state', next);
  }

  function reportError(err: unknown): void {
    const e =
      err instanceof WalkstreamError
        ? err
        : new WalkstreamError('PRODUCER_ERROR', String((err as Error)?.message ?? err), { cause: err });
    counters.errors++;
    lastError = { code: e.code, message: e.message };
    emitter.emit('error', e);
  }

  function laneOf(walk: number, key: string): number {
    let lane = laneOfWalk[walk];
    if (lane === undefined) {
      lane = lanes.length > 1 && sink.partitionOf ? sink.partitionOf(key) % lanes.length : 0;
      laneOfWalk[walk] = lane;
    }
    return lane;
  }

  /**
   * Every point is stamped with the time its tick was scheduled for, not the moment it was made:
   * a tick generated late (behind a full queue, or a busy event loop) keeps its place in time, so
   * latency measured from the stamp includes the wait (no coordinated omission). Scheduled times
   * are strictly increasing, so a walk never has two points with one timestamp.
   */
  let lastStampNs = -1n;
  function tickStamp(): string {
    let ns = clock.epochNsAt ? clock.epochNsAt(nextTickAt) : clock.epochNs();
    if (ns <= lastStampNs) ns = lastStampNs + 1n;
    lastStampNs = ns;
    return ns.toString();
  }

  function generateTick(): void {
    const ts = tickStamp();
    const chunks: KeyedRecord[][] = lanes.map(() => []);
    model.tick((walk, value, seq) => {
      const key = encoder.walkId(walk);
      chunks[laneOf(walk, key)]?.push({ key, value: encoder.line(walk, value, seq, ts) });
    });
    counters.generated += model.walkCount;
    counters.ticks++;
    chunks.forEach((chunk, i) => {
      lanes[i]?.push(chunk);
    });
  }

  /** Room for one more tick: what is generated and not acknowledged yet stays within capacity. */
  function hasRoomForTick(): boolean {
    return counters.generated - counters.produced + model.walkCount <= capacity;
  }

  /** Generates every tick that is due, as long as there is room for it; skips ticks beyond maxLagMs. */
  function schedule(): void {
    timer = undefined;
    if (state !== 'running') return;
    const durationOver = opts.durationMs !== undefined && clock.monoMs() - startedAt >= opts.durationMs;
    if (durationOver || (opts.maxTicks !== undefined && counters.ticks >= opts.maxTicks)) {
      void stop();
      return;
    }
    let generatedNow = 0;
    while (nextTickAt <= clock.monoMs() && generatedNow < POINTS_PER_SLICE) {
      if (!hasRoomForTick()) break;
      if (opts.maxTicks !== undefined && counters.ticks >= opts.maxTicks) break;
      generateTick();
      generatedNow += model.walkCount;
      nextTickAt += 1000 / params.rate;
    }
    const now = clock.monoMs();
    const periodMs = 1000 / params.rate;
    if (now - nextTickAt > maxLagMs) {
      const skip = Math.floor((now - nextTickAt - maxLagMs) / periodMs) + 1;
      counters.skipped += skip;
      nextTickAt += skip * periodMs;
    }
    const delay = generatedNow >= POINTS_PER_SLICE ? 0 : Math.max(0, Math.min(nextTickAt - now, 50));
    timer = setTimeout(schedule, delay);
  }

  function startLanes(): Promise<unknown> {
    const partitions = sink.partitionOf ? (sink.partitionCount?.() ?? 0) : 0;
    lanes = Array.from(
      { length: Math.max(1, partitions) },
      () =>
        new SendLane({
          sink,
          clock,
          maxBatchPoints: maxBatch,
          maxPointsPerMessage,
          retryDelayMs: sendRetryDelayMs,
          lingerMs: () => (params.rate >= LINGER_FROM_TICKS_PER_SECOND ? lingerMs : 0),
          isRunning: () => state === 'running',
          deadline: () => stopDeadline,
          onAcknowledged(points, latencyMs) {
            latency.record(latencyMs);
            counters.produced += points;
          },
          onError: reportError,
        }),
    );
    return Promise.all(lanes.map((lane) => lane.run()));
  }

  function snapshot(): ProducerMetrics {
    return {
      pointsGenerated: counters.generated,
      pointsProduced: counters.produced,
      pointsPerSecond: lastRate,
      sendLatencyMs: lastLatency,
      errors: counters.errors,
      lastError,
      lagMs: state === 'running' ? Math.max(0, Math.round(clock.monoMs() - nextTickAt)) : 0,
      ticksSkipped: counters.skipped,
      queuedPoints: counters.generated - counters.produced,
      queuedByPartition: lanes.map((lane) => lane.unacknowledged),
      at: clock.monoMs(),
    };
  }

  function publishMetrics(): void {
    const now = clock.monoMs();
    const elapsed = (now - counters.lastAt) / 1000;
    lastRate = elapsed > 0 ? Math.round((counters.produced - counters.lastProduced) / elapsed) : 0;
    counters.lastAt = now;
    counters.lastProduced = counters.produced;
    lastLatency = latency.drain();
    emitter.emit('metrics', snapshot());
  }

  async function start(): Promise<void> {
    if (state !== 'idle') {
      throw new WalkstreamError(
        'PRODUCER_STATE',
        `The producer cannot start from state "${state}"; create a new one.`,
      );
    }
    setState('starting');
    try {
      await sink.connect();
      await sink.ensureTopic(topic);
    } catch (err) {
      await sink.disconnect().catch(() => {});
      setState('failed');
      throw err;
    }
    startedAt = clock.monoMs();
    nextTickAt = startedAt;
    counters.lastAt = startedAt;
    setState('running');
    sendersDone = startLanes();
    metricsTimer = setInterval(publishMetrics, metricsIntervalMs);
    schedule();
  }

  function stop(): Promise<StopReport> {
    if (stopping) return stopping;
    stopping = (async () => {
      const wasRunning = state === 'running';
      if (timer) clearTimeout(timer);
      if (state === 'idle' || state === 'failed') {
        setState('stopped');
        return { pointsGenerated: 0, pointsProduced: 0, undelivered: 0 };
      }
      setState('stopping');
      stopDeadline = clock.monoMs() + stopTimeoutMs;
      for (const lane of lanes) lane.wake();
      // A send can block for as long as Kafka lacks in-sync replicas or a partition's broker does
      // not answer: wait at most until the deadline.
      if (wasRunning) await Promise.race([sendersDone, sleep(stopTimeoutMs, true)]);
      if (metricsTimer) clearInterval(metricsTimer);
      await sink.disconnect();
      publishMetrics();
      const undelivered = counters.generated - counters.produced;
      if (undelivered > 0) {
        reportError(
          new WalkstreamError(
            'UNDELIVERED_ON_STOP',
            `${undelivered} generated points were not acknowledged by Kafka within ${stopTimeoutMs / 1000} s of stopping.`,
          ),
        );
      }
      setState('stopped');
      return { pointsGenerated: counters.generated, pointsProduced: counters.produced, undelivered };
    })();
    return stopping;
  }

  return {
    start,
    stop,
    setParams(patch: unknown): WalkParams {
      const next = mergeParams(params, patch);
      model.setParams(next);
      capacity = queueCapacity(next);
      params = next;
      emitter.emit('params', next);
      return next;
    },
    get params() {
      return params;
    },
    get state() {
      return state;
    },
    topic,
    metrics: snapshot,
    on(event, listener) {
      emitter.on(event, listener as (...args: unknown[]) => void);
      return () => emitter.off(event, listener as (...args: unknown[]) => void);
    },
  };
}

function sleep(ms: number, unref = false): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    if (unref) t.unref();
  });
}
