/**
 * Fault scenario 5: malformed messages on the topic (garbage, half a line, a 900 KB line, an empty
 * and a binary message, and valid line protocol over the 16 KiB bound) between good points, while the producer runs. Telegraf logs and skips
 * them; every good point around them arrives, and the stream does not stall.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { compose, flux, kafka, stackEnv, waitUntil } from '../stack/stack-env';
import {
  report,
  restoreStack,
  startTrackedProducer,
  TOPIC,
  type TrackedProducer,
  waitForExactSet,
} from './fault-harness';

let running: TrackedProducer | undefined;
const since = new Date(Date.now() - 60_000).toISOString();

afterAll(async () => {
  await running?.producer.stop().catch(() => {});
  await restoreStack();
});

describe('malformed messages on the topic', () => {
  it('are logged and skipped; the good points around them and the running stream all arrive', async () => {
    const p = await startTrackedProducer('malformed');
    running = p;
    await waitUntil(
      'the producer is acknowledged',
      async () => p.acked(),
      (n) => n >= 2_000,
      60_000,
      100,
    );

    // Not under the producer's prefix: the exact-set check below is about the producer's walks.
    const walk = `${p.prefix.replace(/-$/, '')}_raw`;
    const good = (seq: number) => ({
      key: walk,
      value: `random_walk,walk=${walk} value=${seq}.5,seq=${seq}i ${BigInt(Date.now()) * 1_000_000n + BigInt(seq)}`,
    });
    const raw = kafka().producer();
    await raw.connect();
    const sentAt = Date.now();
    await raw.send({
      topic: TOPIC,
      acks: -1,
      messages: [
        good(0),
        { key: walk, value: 'this is not line protocol at all' },
        good(1),
        { key: walk, value: `random_walk,walk=${walk} value=` },
        good(2),
        // Large, but below Kafka's default 1 MB message limit.
        { key: walk, value: `random_walk,walk=${walk} value=1,junk="${'x'.repeat(900_000)}` },
        good(3),
        { key: walk, value: '' },
        good(4),
        { key: walk, value: Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a, 0x80]) },
        good(5),
        // Valid line protocol, but over the 16 KiB message bound of Telegraf's no-drop arithmetic:
        // refused and logged, never written (seq 1000+ must not arrive).
        { key: walk, value: Array.from({ length: 400 }, (_, i) => good(1_000 + i).value).join('\n') },
        good(6),
      ],
    });
    await raw.disconnect();

    const rows = await waitUntil(
      'the 7 good points around the malformed and oversized ones',
      () =>
        flux<{ _value: number }>(`from(bucket: "${stackEnv.influxBucket}")
  |> range(start: ${since})
  |> filter(fn: (r) => r._measurement == "random_walk" and r.walk == "${walk}" and r._field == "seq")`),
      (r) => r.length >= 7,
      60_000,
    );
    const goodArrivedMs = Date.now() - sentAt;
    expect(rows.map((r) => r._value).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);

    // The stream keeps flowing past them: points produced afterwards arrive too, exactly.
    const target = p.acked() + 2_000;
    await waitUntil(
      '2 000 more points acknowledged',
      async () => p.acked(),
      (n) => n >= target,
      60_000,
      100,
    );
    const acked = await p.stop();
    running = undefined;
    const exact = await waitForExactSet(p, since);
    const { mismatches, waitedMs } = exact;
    expect(mismatches.slice(0, 5)).toEqual([]);

    const logs = await compose(
      'logs',
      '--no-color',
      '--since',
      new Date(sentAt - 5_000).toISOString(),
      'telegraf',
    );
    expect(logs).toMatch(/kafka_consumer.*(parse|metric parse error|invalid)/i);
    expect(logs).toMatch(/message exceeds max_message_len \(actual \d+, max 16384\)/);
    expect((await compose('ps', '--format', '{{.Service}} {{.State}}', 'telegraf')).trim()).toBe(
      'telegraf running',
    );
    report('5 malformed messages', {
      malformedMessages: 5,
      oversizedMessagesRefused: 1,
      goodPointsAroundThem: 7,
      goodPointsQueryableAfterMs: goodArrivedMs,
      streamPoints: acked,
      lost: exact.lost,
      lastStreamPointQueryableAfterStopMs: waitedMs,
    });
  });
});
