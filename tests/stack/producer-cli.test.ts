import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafka, runId, stackEnv, waitUntil } from './stack-env';

// The CLI's source, run through tsx: what the package's bin is built from.
const CLI = createRequire(import.meta.url).resolve('@walkstream/producer/cli');

function startCli(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stderr: string }>;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--brokers', stackEnv.brokers.join(','), ...args],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return { child, done };
}

/**
 * Reads every message of a topic, up to the end offsets it has now, and returns the key and seq of
 * every point (a message may carry several points of its walk), in partition order.
 */
async function readTopic(topic: string): Promise<{ key: string; seq: number }[]> {
  const admin = kafka().admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const messages = offsets.reduce((a, p) => a + Number(p.high) - Number(p.low), 0);
  const consumer = kafka().consumer({ groupId: `verify-${topic}` });
  // Keyed by partition and offset: a consumer-group rebalance may hand a message over twice, but
  // a duplicate written by the producer would sit at a second offset.
  const byOffset = new Map<string, { key: string; lines: string[] }>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        byOffset.set(`${partition}:${message.offset}`, {
          key: message.key?.toString() ?? '',
          lines: (message.value?.toString() ?? '').split('\n'),
        });
      },
    });
    await waitUntil(
      `all ${messages} messages of ${topic} read`,
      async () => byOffset.size,
      (n) => n >= messages,
      60_000,
      200,
    );
  } finally {
    await consumer.disconnect();
  }
  const ordered = [...byOffset.entries()].sort(([a], [b]) => {
    const [pa, oa] = a.split(':').map(Number) as [number, number];
    const [pb, ob] = b.split(':').map(Number) as [number, number];
    return pa - pb || oa - ob;
  });
  const out: { key: string; seq: number }[] = [];
  for (const [, m] of ordered) {
    for (const line of m.lines) out.push({ key: m.key, seq: Number(/seq=(\d+)i/.exec(line)?.[1]) });
  }
  return out;
}

function expectInOrderOnce(records: { key: string; seq: number }[], walks: number, perWalk: number): void {
  const byWalk = new Map<string, number[]>();
  for (const r of records) byWalk.set(r.key, [...(byWalk.get(r.key) ?? []), r.seq]);
  expect(byWalk.size).toBe(walks);
  for (const seqs of byWalk.values()) expect(seqs).toEqual(Array.from({ length: perWalk }, (_, i) => i));
}

/** The acknowledged-point counts of the CLI's progress lines, in order. */
function producedCounts(stderr: string): number[] {
  return [...stderr.matchAll(/produced ([\d,]+)/g)].map((m) => Number(m[1]?.replace(/,/g, '')));
}

const admin = kafka().admin();
const topics: string[] = [];
beforeAll(() => admin.connect());
afterAll(async () => {
  await admin.deleteTopics({ topics }).catch(() => {});
  await admin.disconnect();
});

describe('the producer CLI against the real brokers', () => {
  it('puts every point on the topic, in order per walk, none twice', async () => {
    const topic = `cli-${runId}`;
    topics.push(topic);
    const { done } = startCli(['--topic', topic, '--walks', '5', '--rate', '500', '--ticks', '400']);
    const { code, stderr } = await done;
    expect(code, stderr).toBe(0);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(6);
    expect(meta.topics[0]?.partitions[0]?.replicas).toHaveLength(3);
    expectInOrderOnce(await readTopic(topic), 5, 400);
  });

  it('flushes everything it generated on SIGTERM and exits 0', async () => {
    const topic = `cli-term-${runId}`;
    topics.push(topic);
    const { child, done } = startCli(['--topic', topic, '--walks', '4', '--rate', '200']);
    let progress = '';
    child.stderr?.on('data', (d) => {
      progress += d;
    });
    await waitUntil(
      'a progress line',
      async () => progress,
      (p) => /produced [1-9]/.test(p),
      60_000,
      100,
    );
    const ackedBeforeTerm = Math.max(...producedCounts(progress));
    child.kill('SIGTERM');
    const { code, stderr } = await done;
    expect(code, stderr).toBe(0);
    // Counted where the points went: each walk gap-free from seq 0 and none twice, all four to the
    // same tick (a tick makes a point of every walk), and at least what was acknowledged before.
    const arrived = await readTopic(topic);
    expectInOrderOnce(arrived, 4, arrived.length / 4);
    expect(arrived.length).toBeGreaterThanOrEqual(ackedBeforeTerm);
    // A flush that dropped the last ticks whole would pass the checks above: the CLI's final line
    // must say nothing stayed queued, with a count equal to what arrived.
    const lastLine =
      stderr
        .trim()
        .split('\n')
        .filter((l) => l.includes('produced'))
        .at(-1) ?? '';
    expect(lastLine).toContain('queued 0');
    expect(producedCounts(lastLine)).toEqual([arrived.length]);
  });
});
