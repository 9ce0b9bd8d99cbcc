/**
 * Healthy running Kafka stats and producer metrics as the contract carries them, for the specs of
 * core and renderer alike: each test patches what it reads.
 */
import type { KafkaStats, ProducerMetrics } from './data';

export const NOW = 1_800_000_000_000;

export function producerMetrics(patch: Partial<ProducerMetrics> = {}): ProducerMetrics {
  return {
    pointsGenerated: 6_000,
    pointsProduced: 5_990,
    pointsPerSecond: 100,
    sendLatencyMs: null,
    errors: 0,
    lastError: null,
    lagMs: 0,
    ticksSkipped: 0,
    queuedPoints: 10,
    queuedByPartition: [],
    at: 0,
    ...patch,
  };
}

export function kafkaStats(patch: Partial<KafkaStats> = {}): KafkaStats {
  return {
    reachable: true,
    error: null,
    brokers: [1, 2, 3].map((nodeId) => ({
      nodeId,
      host: 'localhost',
      port: 9092,
      up: true,
      isController: nodeId === 1,
      probe: null,
    })),
    controller: 1,
    topic: 'random-walks',
    partitions: [0, 1, 2, 3, 4, 5].map((partition) => ({
      partition,
      leader: (partition % 3) + 1,
      replicas: [1, 2, 3],
      isr: [1, 2, 3],
      underReplicated: false,
      endOffset: 1_000,
      // 10 messages/s of ~10 points: the 100 points/s the producer fixture acknowledges.
      messagesPerSecond: partition < 4 ? 2 : 1,
      consumerOffset: 995,
      lag: 5,
    })),
    underReplicated: 0,
    messagesPerSecond: 10,
    consumerGroup: 'telegraf-walkstream',
    totalLag: 30,
    lagSeconds: 0.5,
    at: NOW,
    ...patch,
  };
}
