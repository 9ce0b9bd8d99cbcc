/**
 * npm run bench:producer — the producer's throughput.
 *  1. generate + encode (no Kafka, no queue): the model and the line-protocol encoder on one core;
 *  2. the whole producer into a sink that acknowledges at once (scheduler, queue, batching);
 *  3. with KAFKA_BROKERS set: points/s acknowledged with acks=all by the real cluster, one point per
 *     message (what the producer ships) and, for comparison, a whole tick per message.
 */

import {
  createProducer,
  DEFAULT_PARAMS,
  type RecordSink,
  WalkLineEncoder,
  WalkModel,
} from '@walkstream/producer';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { benchTopicName, deleteBenchTopics } from './lib/bench-topic';
import { measureProducerThroughput, pointsInMessage } from './lib/producer-throughput';
import { fmt } from './lib/stats';

function generateAndEncode(points: number): number {
  const walks = 10_000;
  const model = new WalkModel({ ...DEFAULT_PARAMS, walks, rate: 100 });
  const enc = new WalkLineEncoder();
  let bytes = 0;
  const t0 = performance.now();
  for (let done = 0; done < points; done += walks) {
    const ts = '1700000000000000000';
    model.tick((w, v, s) => {
      bytes += enc.line(w, v, s, ts).length + enc.walkId(w).length;
    });
  }
  const secs = (performance.now() - t0) / 1000;
  if (bytes === 0) throw new Error('nothing encoded');
  return points / secs;
}

/**
 * The whole producer into a sink that acknowledges at once: points (lines, not the coalesced
 * messages that carry them) the sink took per second over the measured window.
 */
async function throughInstantSink(seconds: number, walks: number, rate: number, maxPointsPerMessage = 100) {
  let points = 0;
  const sink: RecordSink = {
    connect: async () => {},
    ensureTopic: async () => {},
    send: async (records) => {
      for (const r of records) points += pointsInMessage(r.value);
    },
    disconnect: async () => {},
  };
  const p = createProducer({
    sink,
    params: { walks, rate },
    topic: { topic: benchTopic },
    maxPointsPerMessage,
  });
  await p.start();
  const from = { points, at: performance.now() };
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const to = { points, at: performance.now() };
  await p.stop();
  return {
    pointsPerSecond: (to.points - from.points) / ((to.at - from.at) / 1000),
    skipped: p.metrics().ticksSkipped,
  };
}

const benchTopic = benchTopicName('producer');

async function tickPerMessage(brokers: string[], seconds: number, walks: number): Promise<number> {
  // The alternative wire layout: one Kafka message holding a whole tick (all walks' lines).
  const kafka = new Kafka({ clientId: 'walkstream-bench', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const model = new WalkModel({ ...DEFAULT_PARAMS, walks, rate: 1000 });
  const enc = new WalkLineEncoder();
  let points = 0;
  const t0 = performance.now();
  let tick = 0;
  while (performance.now() - t0 < seconds * 1000) {
    const messages = [];
    for (let i = 0; i < 10; i++) {
      const lines: string[] = [];
      const ts = String(BigInt(Date.now()) * 1_000_000n + BigInt(tick++));
      model.tick((w, v, s) => lines.push(enc.line(w, v, s, ts)));
      messages.push({ key: `tick-${tick}`, value: lines.join('\n') });
      points += lines.length;
    }
    await producer.send({ topic: benchTopic, acks: -1, messages });
  }
  const secs = (performance.now() - t0) / 1000;
  await producer.disconnect();
  return points / secs;
}

async function main(): Promise<void> {
  generateAndEncode(200_000); // warm-up for the JIT
  const runs = [1, 2, 3].map(() => generateAndEncode(2_000_000));
  const best = Math.max(...runs);
  console.log(
    `generate+encode (one core, no Kafka), best of ${runs.length}: ${fmt(best)} points/s (runs: ${runs.map((r) => fmt(r)).join(', ')}; target ≥ 1,000,000)`,
  );

  const local = await throughInstantSink(5, 10_000, 100);
  console.log(
    `whole producer into an instant sink (10,000 walks × 100 ticks/s asked = 1,000,000/s): ${fmt(local.pointsPerSecond)} points/s, ` +
      `${fmt(local.skipped)} ticks skipped`,
  );

  const brokers = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  if (!brokers?.length) {
    console.log('Kafka: skipped (set KAFKA_BROKERS=host:port,... to measure delivery with acks=all)');
    return;
  }
  const seconds = Number(process.env.BENCH_SECONDS ?? 20);
  for (const [label, perMessage] of [
    ['one point per message', 1],
    ['points of a walk coalesced per send (≤ 100 per message, the default)', 100],
  ] as const) {
    const run = await measureProducerThroughput({
      brokers,
      topic: benchTopic,
      walks: 1_000,
      seconds,
      maxPointsPerMessage: perMessage,
    });
    console.log(
      `Kafka acks=all, keyed by walk, ${label}: ${fmt(run.pointsPerSecond)} points/s ` +
        `(${fmt(run.messagesPerSecond)} messages/s of ${fmt(run.avgValueBytes)} B on average)`,
    );
  }
  const perTick = await tickPerMessage(brokers, Math.min(seconds, 10), 1_000);
  console.log(
    `Kafka acks=all, one whole tick (1,000 walks' points) per message, not keyed by walk: ${fmt(perTick)} points/s`,
  );
  await deleteBenchTopics(brokers, [benchTopic]);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
