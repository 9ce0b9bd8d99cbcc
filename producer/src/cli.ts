#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { HELP, parseCli, UsageError } from './cli-args';
import { WalkstreamError } from './errors';
import { createKafkaSink } from './kafka-sink';
import { createProducer, type WalkProducer } from './producer';
import type { ProducerMetrics } from './producer-metrics';
import { createStreamSink } from './record-sink';

const fmt = new Intl.NumberFormat('en-US');

export function progressLine(m: ProducerMetrics): string {
  const lat = m.sendLatencyMs ? `p50 ${m.sendLatencyMs.p50} ms p99 ${m.sendLatencyMs.p99} ms` : 'n/a';
  return (
    `[walkstream] produced ${fmt.format(m.pointsProduced)} | ${fmt.format(m.pointsPerSecond)} pts/s | ` +
    `latency ${lat} | lag ${fmt.format(m.lagMs)} ms | skipped ${fmt.format(m.ticksSkipped)} ticks | ` +
    `queued ${fmt.format(m.queuedPoints)} | errors ${m.errors}`
  );
}

async function main(): Promise<number> {
  let config: ReturnType<typeof parseCli>;
  try {
    config = parseCli(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`walkstream-producer: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (config.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const log = (level: string, message: string) => process.stderr.write(`[walkstream] ${level}: ${message}\n`);
  const sink = config.dryRun
    ? createStreamSink(process.stdout, () => void producer.stop())
    : createKafkaSink({
        brokers: config.brokers,
        topic: config.topic.topic,
        connectTimeoutMs: config.connectTimeoutMs,
        log,
      });
  const producer: WalkProducer = createProducer({
    sink,
    params: config.params,
    topic: config.topic,
    durationMs: config.durationMs,
    maxTicks: config.maxTicks,
  });
  producer.on('metrics', (m) => {
    process.stderr.write(`${progressLine(m)}\n`);
    if (config.healthFile) writeFileSync(config.healthFile, `${Date.now()}\n`);
  });
  producer.on('error', (e) => log('error', `${e.code}: ${e.message}`));
  const stopped = new Promise<number>((resolve) => {
    producer.on('state', (s) => {
      if (s === 'stopped') resolve(producer.metrics().queuedPoints > 0 ? 1 : 0);
    });
  });
  const onSignal = (signal: string) => {
    log('info', `${signal}: flushing and stopping`);
    void producer.stop();
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  try {
    await producer.start();
  } catch (err) {
    if (err instanceof WalkstreamError) {
      process.stderr.write(`walkstream-producer: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (!config.dryRun) {
    log(
      'info',
      `producing ${config.params.walks} walks at ${config.params.rate} ticks/s to ${config.topic.topic}`,
    );
  }
  return stopped;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`walkstream-producer: unexpected failure: ${(err as Error)?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
