import type {
  ActiveFault,
  KafkaStats,
  ProducerStatus,
  ServiceInfo,
  ServiceName,
  StackStatus,
  TelegrafStats,
} from '../contract/data';

/**
 * Everything the flow strip is computed from: the latest of what the other services push, the
 * app's own InfluxDB query, and what the flow service derived from their history. Plain data, so
 * the rules that read it are pure functions.
 */
export interface FlowSignals {
  now: number;
  stack: StackStatus | null;
  producer: ProducerStatus | null;
  kafka: KafkaStats | null;
  telegraf: TelegrafStats | null;
  faults: ActiveFault[];
  /** The headless `producer` service's container is running (Compose profile "headless"). */
  headlessProducer: boolean;
  influx: {
    stored: number | null;
    newestAt: number | null;
    error: { status: number | null; message: string } | null;
  };
  /** The newest point the chart has, epoch ms. */
  chartNewestAt: number | null;
  run: {
    startedAt: number | null;
    producing: boolean;
    /** Since this app's producer stopped; null while it produces or before it ever ran. */
    stoppedForMs: number | null;
    askedPerSecond: number;
    /** Counters of other processes, counted from the run's start. */
    kafkaMessages: number | null;
    consumed: number | null;
    /**
     * The producer's acknowledged points at the moment Telegraf counted `consumed` (its metrics are
     * gathered once a second); null when that moment is unknown or out of the kept history.
     */
    acknowledgedWhenConsumed: number | null;
    written: number | null;
    dropped: number | null;
    /** Growth over the last 10 s. */
    recentWriteErrors: number | null;
    recentSkippedTicks: number;
  };
  rates: {
    generated: number | null;
    acknowledged: number | null;
    consumed: number | null;
    written: number | null;
    stored: number | null;
  };
  /** How long each counter has not moved. */
  stillMs: { acknowledged: number; consumed: number; written: number };
}

/** A hop that holds data and has not moved any for this long is stalled. */
export const STALL_MS = 3_000;

export const fmtCount = (n: number) => Math.round(n).toLocaleString('en-US');
export const fmtSeconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function service(s: FlowSignals, name: ServiceName): ServiceInfo | undefined {
  return s.stack?.services.find((x) => x.service === name);
}

/** The stack is up (wholly or partly): only then is a stopped service a fault rather than the plan. */
export function stackUp(s: FlowSignals): boolean {
  return s.stack?.state === 'running' || s.stack?.state === 'degraded';
}

/**
 * Points Kafka acknowledged this run that Telegraf has not consumed yet. Two upper bounds: the
 * producer's acknowledged points less Telegraf's consumed ones, both as of the moment Telegraf
 * counted (its counters are gathered once a second: compared with the acknowledged count of now,
 * a healthy pipeline would show a second of data waiting), and the consumer group's lag in messages
 * (committed once a second) at this run's points per message. The smaller is the closer. The
 * first alone can stay high for good: what a Telegraf consumed and committed in its last second
 * before being killed is in no counter of the one that replaces it.
 */
export function kafkaBacklog(s: FlowSignals): number | null {
  const acked = s.producer?.metrics?.pointsProduced ?? null;
  if (acked === null || s.run.consumed === null) return null;
  const counted = Math.max(0, (s.run.acknowledgedWhenConsumed ?? acked) - s.run.consumed);
  const lag = s.kafka?.reachable ? s.kafka.totalLag : null;
  const perMessage = recentPointsPerMessage(s);
  if (lag === null || perMessage === null) return counted;
  return Math.min(counted, lag * perMessage);
}

/**
 * Points per Kafka message of the newest messages, the ones a lag is made of: acknowledged points
 * per second ÷ messages per second. The run's average would not do: after a burst packed a hundred
 * points per message, ten messages of a one-point-per-message trickle read as a thousand points.
 * Falls back to the run's average while either rate is unknown.
 */
function recentPointsPerMessage(s: FlowSignals): number | null {
  const points = s.rates.acknowledged;
  const messages = s.kafka?.reachable ? s.kafka.messagesPerSecond : null;
  if (points !== null && points > 0 && messages !== null && messages > 0)
    return Math.max(1, points / messages);
  const acked = s.producer?.metrics?.pointsProduced ?? 0;
  const total = s.run.kafkaMessages;
  return total && acked > 0 ? acked / total : null;
}
