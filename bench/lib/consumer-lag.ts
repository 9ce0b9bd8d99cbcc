/**
 * Telegraf's backlog: messages on the pipeline topic that its consumer group has not committed.
 * Telegraf commits a message only once its output wrote it to InfluxDB, so a lag of 0 means every
 * produced point is stored, and a lag that grows means the pipeline falls behind the producer.
 */

import { fixKafkajsIdleTimers } from '@walkstream/producer';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { sleep } from './stats';

export const PIPELINE_TOPIC = 'random-walks';
export const TELEGRAF_GROUP = 'telegraf-walkstream';

export interface PartitionEnd {
  partition: number;
  high: string;
  low: string;
}

export interface PartitionCommitted {
  partition: number;
  offset: string;
}

/**
 * Σ (end offset − committed offset) over the partitions. A partition the group never committed
 * counts from its low watermark: Telegraf starts at the oldest offset there.
 */
export function groupLag(ends: readonly PartitionEnd[], committed: readonly PartitionCommitted[]): number {
  const done = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  return ends.reduce((lag, e) => {
    const from = done.get(e.partition) ?? -1;
    return lag + Math.max(0, Number(e.high) - (from >= 0 ? from : Number(e.low)));
  }, 0);
}

export interface LagProbe {
  /** Telegraf's lag in messages right now. */
  lag(): Promise<number>;
  close(): Promise<void>;
}

export async function createLagProbe(brokers: string[]): Promise<LagProbe> {
  fixKafkajsIdleTimers();
  const admin: Admin = new Kafka({
    clientId: 'walkstream-bench-lag',
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  return {
    lag: async () => {
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(PIPELINE_TOPIC),
        admin.fetchOffsets({ groupId: TELEGRAF_GROUP, topics: [PIPELINE_TOPIC] }),
      ]);
      return groupLag(ends, committed[0]?.partitions ?? []);
    },
    close: () => admin.disconnect(),
  };
}

export interface Drained {
  waitedMs: number;
  /** Lag when the wait began, in messages. */
  lagAtStart: number;
}

/**
 * Waits until Telegraf has committed everything on the topic, so a measurement starts from an
 * empty pipeline instead of paying for the backlog the previous one left; fails after `timeoutMs`.
 */
export async function waitForDrain(probe: LagProbe, timeoutMs: number, intervalMs = 500): Promise<Drained> {
  const t0 = Date.now();
  const lagAtStart = await probe.lag();
  let lag = lagAtStart;
  while (lag > 0) {
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(
        `Telegraf did not drain its backlog within ${timeoutMs / 1000} s: ${lag} messages left of ${lagAtStart}`,
      );
    }
    await sleep(intervalMs);
    lag = await probe.lag();
  }
  return { waitedMs: Date.now() - t0, lagAtStart };
}
