/**
 * Pure rules for what a fault does to the pipeline and when the pipeline counts as healed again,
 * kept apart from the service so they can be read (and tested) on their own.
 */
import type { ChaosEffect, ContainerState, FaultRecovery, KafkaStats } from '../contract/data';

/** Telegraf commits offsets about once a second, so a healthy consumer is always a little behind. */
export const LAG_OK_SECONDS = 3;
/** Points reach InfluxDB within a second or two of being produced when all is well. */
export const FRESH_MS = 5_000;

export function chaosEffect(
  kafka: KafkaStats | null,
  newestPointAt: number | null,
  now: number,
): ChaosEffect {
  const brokers = kafka?.brokers ?? [];
  const partitions = kafka?.partitions ?? [];
  return {
    kafkaReachable: kafka?.reachable ?? false,
    brokersUp: brokers.filter((b) => b.up).map((b) => b.nodeId),
    brokersDown: brokers.filter((b) => !b.up).map((b) => b.nodeId),
    underReplicated: kafka?.underReplicated ?? 0,
    isrSizes: partitions.map((p) => p.isr.length),
    leaders: brokers.map((b) => ({
      broker: b.nodeId,
      partitions: partitions.filter((p) => p.leader === b.nodeId).length,
    })),
    messagesPerSecond: kafka?.messagesPerSecond ?? 0,
    totalLag: kafka?.totalLag ?? null,
    lagSeconds: kafka?.lagSeconds ?? null,
    freshnessMs: newestPointAt === null ? null : Math.max(0, now - newestPointAt),
  };
}

export interface RecoveryInputs {
  container: ContainerState | 'not-available' | null;
  kafka: KafkaStats | null;
  /** The last successful chart query and the newest point it saw. */
  preview: { at: number; newestPointAt: number | null } | null;
  now: number;
}

/**
 * Healed means: brokers — every broker up again and no partition short of in-sync replicas;
 * Telegraf — consumer lag back to about a second's worth; InfluxDB — the chart's query answers
 * again. Both of the latter also need fresh data, unless nothing is being produced. Only
 * observations made after the fault ended count.
 */
export function isRecovered(
  r: Pick<FaultRecovery, 'kind' | 'service' | 'endedAt'>,
  i: RecoveryInputs,
): boolean {
  if (i.container !== 'running') return false;
  const kafka = i.kafka && i.kafka.at > r.endedAt && i.kafka.reachable ? i.kafka : null;
  const flowing = (i.kafka?.messagesPerSecond ?? 0) > 0;
  const fresh =
    i.preview !== null &&
    i.preview.at > r.endedAt &&
    (!flowing || (i.preview.newestPointAt !== null && i.now - i.preview.newestPointAt <= FRESH_MS));
  switch (r.kind) {
    case 'kill-broker':
    case 'stop-broker':
    case 'freeze-broker': {
      const nodeId = Number(r.service.replace('kafka-', ''));
      return (
        kafka?.brokers.some((b) => b.nodeId === nodeId && b.up) === true &&
        kafka.brokers.every((b) => b.up) &&
        kafka.underReplicated === 0
      );
    }
    // The brokers kept their partitions: recovered once the controller runs and Kafka answers.
    case 'freeze-controller':
      return kafka?.brokers.every((b) => b.up) === true;
    case 'pause-telegraf':
      return (
        kafka !== null &&
        kafka.totalLag !== null &&
        (kafka.totalLag === 0 || (kafka.lagSeconds !== null && kafka.lagSeconds <= LAG_OK_SECONDS)) &&
        fresh
      );
    case 'stop-influxdb':
      return fresh;
  }
}
