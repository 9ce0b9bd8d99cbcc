/**
 * Kafka's own kafka-producer-perf-test (org.apache.kafka.tools.ProducerPerformance, from the same
 * 4.4.0 jars as the brokers) run on the host with java: the reference for what one producer can
 * push into this cluster. It reports every second; the JVM is stopped after the measured window
 * and the warm-up seconds (JVM, connections) are left out, as for our producer.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface PerfTestOptions {
  brokers: string[];
  topic: string;
  recordSize: number;
  /** Keys 0..keyRange-1 round robin, like our per-walk keys. */
  keyRange: number;
  seconds: number;
  warmupSeconds?: number;
}

export interface PerfTestResult {
  recordsPerSecond: number;
  mbPerSecond: number;
  avgLatencyMs: number;
  recordSize: number;
  javaVersion?: string;
}

export const kafkaLibs = process.env.KAFKA_LIBS ?? join(homedir(), '.cache/walkstream/kafka-4.4.0/libs');

const WINDOW = /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency/;

export async function runPerfTest(opts: PerfTestOptions): Promise<PerfTestResult> {
  if (!existsSync(join(kafkaLibs, 'kafka-tools-4.4.0.jar'))) {
    throw new Error(`Kafka 4.4.0 jars not found in ${kafkaLibs} (set KAFKA_LIBS)`);
  }
  const warmup = opts.warmupSeconds ?? 3;
  const child = spawn(
    'java',
    [
      '-Xmx512m',
      '-cp',
      `${kafkaLibs}/*`,
      'org.apache.kafka.tools.ProducerPerformance',
      '--bootstrap-server',
      opts.brokers.join(','),
      '--topic',
      opts.topic,
      '--num-records',
      '1000000000',
      '--throughput',
      '-1',
      '--record-size',
      String(opts.recordSize),
      '--key-distribution',
      'range',
      '--record-key-range',
      String(opts.keyRange),
      '--reporting-interval',
      '1000',
      '--command-property',
      'acks=all',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const windows: { records: number; rate: number; mb: number; latency: number }[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4_000);
  });
  // The measured window starts at the first report: a JVM starting on a busy machine can take
  // many seconds before it sends anything. Its shutdown hook flushes what is buffered; never wait
  // for that longer than 15 s.
  let stopTimer: NodeJS.Timeout | undefined;
  const stopAfter = (ms: number) => {
    clearTimeout(stopTimer);
    stopTimer = setTimeout(() => {
      child.kill('SIGTERM');
      stopTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    }, ms);
  };
  stopAfter(120_000);
  createInterface({ input: child.stdout }).on('line', (line) => {
    const m = WINDOW.exec(line.trim());
    if (!m) return;
    if (windows.length === 0) stopAfter((warmup + opts.seconds) * 1000 + 500);
    windows.push({ records: Number(m[1]), rate: Number(m[2]), mb: Number(m[3]), latency: Number(m[4]) });
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(stopTimer);
  const measured = windows.length > warmup ? windows.slice(Math.ceil(warmup)) : windows;
  if (measured.length === 0) {
    throw new Error(`kafka-producer-perf-test reported nothing (exit ${code}): ${stderr.trim()}`);
  }
  // Whole-window average: total records over total time, not a mean of per-window rates.
  const records = measured.reduce((a, w) => a + w.records, 0);
  const secs = measured.reduce((a, w) => a + w.records / w.rate, 0);
  const mb = measured.reduce((a, w) => a + (w.mb * w.records) / w.rate, 0);
  return {
    recordsPerSecond: records / secs,
    mbPerSecond: mb / secs,
    avgLatencyMs: measured.reduce((a, w) => a + w.latency * w.records, 0) / records,
    recordSize: opts.recordSize,
  };
}
