/**
 * What waits on which broker: the producer counts unacknowledged points per partition, and the
 * Kafka stats know each partition's leader. Pure, so the UI can join the two topics as they arrive.
 */
import type { PartitionStats } from './data';

export interface QueuedByBroker {
  /** Every broker named, in node-id order, 0 when nothing waits on it. */
  brokers: { nodeId: number; points: number }[];
  /** Points of partitions that have no leader right now. */
  leaderless: number;
  /** Points of partitions the Kafka stats do not list (yet, or not while Kafka is unreachable). */
  unknownLeader: number;
}

export function queuedByBroker(
  queuedByPartition: readonly number[],
  partitions: readonly Pick<PartitionStats, 'partition' | 'leader'>[],
  brokerIds: readonly number[],
): QueuedByBroker {
  const leaderOf = new Map(partitions.map((p) => [p.partition, p.leader]));
  const byBroker = new Map(brokerIds.map((id) => [id, 0]));
  let leaderless = 0;
  let unknownLeader = 0;
  queuedByPartition.forEach((points, partition) => {
    const leader = leaderOf.get(partition);
    if (leader === undefined) unknownLeader += points;
    else if (leader < 0) leaderless += points;
    else byBroker.set(leader, (byBroker.get(leader) ?? 0) + points);
  });
  return {
    brokers: [...byBroker]
      .map(([nodeId, points]) => ({ nodeId, points }))
      .sort((a, b) => a.nodeId - b.nodeId),
    leaderless,
    unknownLeader,
  };
}
