/**
 * Throw-away topics, so the producer benches never touch random-walks, which Telegraf consumes.
 * The producer's own sink creates them with the pipeline topic's layout (DEFAULT_TOPIC: 6
 * partitions, RF 3, min ISR 2) and waits for their leaders; the benches delete them afterwards.
 */
import { Kafka, logLevel } from 'kafkajs';

export function benchTopicName(label: string): string {
  return `bench-${label}-${Date.now().toString(36)}`;
}

export async function deleteBenchTopics(brokers: string[], topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = new Kafka({ clientId: 'walkstream-bench', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics });
  } catch (err) {
    console.warn(`could not delete bench topics ${topics.join(', ')}: ${(err as Error).message}`);
  } finally {
    await admin.disconnect();
  }
}
