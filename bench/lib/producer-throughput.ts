/**
 * The producer library flat out into a Kafka topic with acks=all: asks for far more than it can
 * deliver (it then skips ticks, by design) and counts what the cluster acknowledged, plus the
 * size of the messages it actually sent, for a like-for-like kafka-producer-perf-test run.
 */
import {
  createKafkaSink,
  createProducer,
  MAX_POINTS_PER_SECOND,
  type RecordSink,
} from '@walkstream/producer';
import { sleep } from './stats';

/**
 * Points in one Kafka message value: the producer packs consecutive points of a walk into one
 * message, one line-protocol line each, so a message is not a point.
 */
export function pointsInMessage(value: string): number {
  if (value === '') return 0;
  let lines = 1;
  for (let i = value.indexOf('\n'); i !== -1; i = value.indexOf('\n', i + 1)) lines++;
  return lines;
}

export interface ProducerThroughputOptions {
  brokers: string[];
  topic: string;
  walks: number;
  seconds: number;
  /** 1 = one point per Kafka message; the producer's default is 100. */
  maxPointsPerMessage: number;
  /** Excluded from the rate: connection set-up and JIT warm-up. */
  warmupSeconds?: number;
}

export interface ProducerThroughput {
  pointsPerSecond: number;
  messagesPerSecond: number;
  /** Mean Kafka message value size in bytes (what --record-size is compared with). */
  avgValueBytes: number;
  avgPointsPerMessage: number;
  walks: number;
  maxPointsPerMessage: number;
  /** The measured window the rates are over. */
  seconds: number;
}

export async function measureProducerThroughput(
  opts: ProducerThroughputOptions,
): Promise<ProducerThroughput> {
  const kafkaSink = createKafkaSink({ brokers: opts.brokers, topic: opts.topic });
  const sent = { messages: 0, points: 0, bytes: 0 };
  const sink: RecordSink = {
    ...kafkaSink,
    send: async (records, onRetry) => {
      await kafkaSink.send(records, onRetry);
      sent.messages += records.length;
      for (const r of records) {
        sent.points += pointsInMessage(r.value);
        sent.bytes += Buffer.byteLength(r.value);
      }
    },
  };
  const producer = createProducer({
    sink,
    // The most the producer accepts: it is then limited by Kafka, not by its schedule.
    params: { walks: opts.walks, rate: Math.min(10_000, MAX_POINTS_PER_SECOND / opts.walks) },
    topic: { topic: opts.topic },
    maxPointsPerMessage: opts.maxPointsPerMessage,
  });
  await producer.start();
  await sleep((opts.warmupSeconds ?? 3) * 1000);
  const from = { ...sent, at: performance.now() };
  await sleep(opts.seconds * 1000);
  const to = { ...sent, at: performance.now() };
  await producer.stop();
  const secs = (to.at - from.at) / 1000;
  const messages = to.messages - from.messages;
  const points = to.points - from.points;
  return {
    pointsPerSecond: points / secs,
    messagesPerSecond: messages / secs,
    avgValueBytes: messages > 0 ? (to.bytes - from.bytes) / messages : 0,
    avgPointsPerMessage: messages > 0 ? points / messages : 0,
    walks: opts.walks,
    maxPointsPerMessage: opts.maxPointsPerMessage,
    seconds: secs,
  };
}
