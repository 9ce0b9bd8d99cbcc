import { describe, expect, it } from 'vitest';
import { queuedByBroker } from './queued-by-broker';

/** The producer's per-partition queue, summed per partition leader for the Kafka panel. */
describe('queuedByBroker', () => {
  const partitions = [0, 1, 2, 3, 4, 5].map((partition) => ({ partition, leader: (partition % 3) + 1 }));

  it('sums each partition onto its leader and lists idle brokers with 0', () => {
    expect(queuedByBroker([0, 4_000, 0, 0, 500, 0], partitions, [1, 2, 3])).toEqual({
      brokers: [
        { nodeId: 1, points: 0 },
        { nodeId: 2, points: 4_500 },
        { nodeId: 3, points: 0 },
      ],
      leaderless: 0,
      unknownLeader: 0,
    });
  });

  it('follows a leader change: the same queue lands on the new leader', () => {
    const moved = partitions.map((p) => (p.leader === 2 ? { ...p, leader: 3 } : p));
    const q = queuedByBroker([0, 4_000, 0, 0, 500, 0], moved, [1, 2, 3]);
    expect(q.brokers.map((b) => b.points)).toEqual([0, 0, 4_500]);
  });

  it('counts partitions without a leader, and partitions the stats do not know, apart', () => {
    const noLeader = partitions.map((p) => (p.partition === 1 ? { ...p, leader: -1 } : p));
    const q = queuedByBroker([0, 7, 0, 0, 0, 0, 9], noLeader, [1, 2, 3]);
    expect(q.leaderless).toBe(7);
    expect(q.unknownLeader).toBe(9);
    expect(q.brokers.every((b) => b.points === 0)).toBe(true);
  });

  it('names a leader that is not among the listed brokers rather than losing its points', () => {
    const q = queuedByBroker([5], [{ partition: 0, leader: 4 }], [1, 2, 3]);
    expect(q.brokers).toContainEqual({ nodeId: 4, points: 5 });
  });

  it('puts everything under unknown while Kafka is unreachable (no partitions known)', () => {
    expect(queuedByBroker([3, 4], [], [])).toEqual({ brokers: [], leaderless: 0, unknownLeader: 7 });
  });
});
