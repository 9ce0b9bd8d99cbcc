import { createKafkaSink, DEFAULT_TOPIC } from '@walkstream/producer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafka, quorumStatus, stackEnv, waitUntil } from './stack-env';

const admin = kafka().admin();

beforeAll(async () => {
  await admin.connect();
  // The data topic exactly as the producer creates it on start.
  const sink = createKafkaSink({ brokers: stackEnv.brokers, topic: DEFAULT_TOPIC.topic });
  await sink.connect();
  await sink.ensureTopic(DEFAULT_TOPIC);
  await sink.disconnect();
});
afterAll(() => admin.disconnect());

describe('the Kafka cluster', () => {
  it('has 3 brokers registered, reachable from the host through their advertised listeners', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    for (const b of cluster.brokers) expect(b.host).toBe('localhost');
    expect([1, 2, 3]).toContain(cluster.controller);
  });

  it('has a KRaft quorum of the 3 controllers, none of them a broker, with a leader', async () => {
    const out = await quorumStatus();
    const leader = Number(/LeaderId:\s+(\d+)/.exec(out)?.[1]);
    const voters = /CurrentVoters:\s+\[(.*)\]/.exec(out)?.[1] ?? '';
    const voterIds = [...voters.matchAll(/"id":\s*(\d+)/g)].map((m) => Number(m[1])).sort();
    expect(voterIds).toEqual([101, 102, 103]);
    expect(voterIds).toContain(leader);
  });

  it('replicates the data topic 3 times with all 3 replicas in sync on every partition', async () => {
    const meta = await admin.fetchTopicMetadata({ topics: [DEFAULT_TOPIC.topic] });
    const partitions = meta.topics[0]?.partitions ?? [];
    expect(partitions).toHaveLength(6);
    for (const p of partitions) {
      expect(p.replicas).toHaveLength(3);
      expect(p.isr).toHaveLength(3);
      expect(p.leader).toBeGreaterThan(0);
    }
    const configs = await admin.describeConfigs({
      resources: [{ type: 2, name: DEFAULT_TOPIC.topic, configNames: ['min.insync.replicas'] }],
      includeSynonyms: false,
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('2');
  });

  it('replicates the internal offsets topic 3 times too', async () => {
    // Created when the first consumer group (Telegraf's) looks up its coordinator.
    await waitUntil(
      '__consumer_offsets exists',
      () => admin.listTopics(),
      (t) => t.includes('__consumer_offsets'),
      60_000,
    );
    const meta = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
    for (const p of meta.topics[0]?.partitions ?? []) expect(p.replicas).toHaveLength(3);
  });
});
