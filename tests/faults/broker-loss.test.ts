/**
 * Fault scenarios 1 and 2: losing Kafka brokers while the producer runs at a steady 2 000 points/s.
 * The guarantee: every point Kafka acknowledged ends up in InfluxDB exactly once, none is written
 * twice to Kafka, and with too few brokers left the producer blocks instead of losing data.
 */
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, kafka, waitUntil } from '../stack/stack-env';
import {
  endOffsets,
  holdFaultFor,
  kafkaDuplicates,
  leaders,
  report,
  restoreStack,
  startTrackedProducer,
  type TrackedProducer,
  underReplicated,
  waitForAcks,
  waitForExactSet,
} from './fault-harness';

let admin: Admin;
let running: TrackedProducer | undefined;
const since = new Date(Date.now() - 60_000).toISOString();

beforeAll(async () => {
  admin = kafka('walkstream-faults-admin').admin();
  await admin.connect();
});

afterAll(async () => {
  await running?.producer.stop().catch(() => {});
  await admin?.disconnect();
  await restoreStack();
});

describe('losing Kafka brokers while producing', () => {
  it('one broker SIGKILLed for 30 s: no point lost or duplicated, ISR back to 3 after its restart', async () => {
    const from = await endOffsets();
    const p = await startTrackedProducer('kill1');
    running = p;
    await waitForAcks(p, 5_000);

    const killedAt = Date.now();
    await compose('kill', '-s', 'SIGKILL', 'kafka-2');
    // The cluster notices (ISR shrinks) once the broker's session times out.
    await waitUntil(
      'ISR shrinks after the kill',
      () => underReplicated(admin),
      (n) => n > 0,
      60_000,
    );
    const shrunkAfterMs = Date.now() - killedAt;
    await waitUntil(
      'leaders moved off broker 2',
      () => leaders(admin),
      (l) => !l.includes(2),
      60_000,
    );
    // Keep producing for the rest of 30 s with the broker gone.
    const ackedAtKill = p.acked();
    await holdFaultFor(30_000 - (Date.now() - killedAt));
    expect(p.acked()).toBeGreaterThan(ackedAtKill + 20_000);

    const restartedAt = Date.now();
    await compose('start', 'kafka-2');
    await waitUntil(
      'ISR back to 3 on every partition',
      () => underReplicated(admin),
      (n) => n === 0,
      120_000,
      250,
    );
    const isrBackMs = Date.now() - restartedAt;
    await waitForAcks(p, 2_000);
    const stall = p.longestStallMs(killedAt - 1_000);
    const skipped = p.producer.metrics().ticksSkipped;
    const acked = await p.stop();
    running = undefined;

    const kafkaSide = await kafkaDuplicates(p.prefix, from, await endOffsets());
    expect(kafkaSide.duplicates.slice(0, 5)).toEqual([]);
    expect(kafkaSide.points).toBe(acked);
    const { mismatches, waitedMs } = await waitForExactSet(p, since);
    expect(mismatches.slice(0, 5)).toEqual([]);
    report('1 one broker killed', {
      points: acked,
      lost: 0,
      duplicatesInKafka: kafkaSide.duplicates.length,
      longestProduceStallMs: stall,
      ticksSkippedDuringStall: skipped,
      isrShrankAfterMs: shrunkAfterMs,
      isrBackTo3AfterRestartMs: isrBackMs,
      lastPointQueryableAfterStopMs: waitedMs,
    });
  });

  it('a second broker killed while one is down: producing blocks (min ISR 2), nothing acknowledged is lost', async () => {
    const from = await endOffsets();
    const p = await startTrackedProducer('kill2');
    running = p;
    await waitForAcks(p, 5_000);

    await compose('kill', '-s', 'SIGKILL', 'kafka-1');
    await waitUntil(
      'ISR shrinks after the first kill',
      () => underReplicated(admin),
      (n) => n > 0,
      60_000,
    );
    await waitForAcks(p, 2_000);
    const secondKillAt = Date.now();
    await compose('kill', '-s', 'SIGKILL', 'kafka-3');
    // One broker of three left: no partition has 2 in-sync replicas and the controller quorum is
    // gone, so no send can be acknowledged. Blocked = nothing acknowledged for 10 s straight.
    await waitUntil(
      'the producer blocks',
      async () => p.sinceLastAckMs(),
      (ms) => ms >= 10_000,
      90_000,
      250,
    );
    const ackedWhileBlocked = p.acked();
    const blockedAfterMs = Date.now() - 10_000 - secondKillAt;
    const heldWhileBlocked = p.producer.metrics().queuedPoints;

    const restartedAt = Date.now();
    await compose('start', 'kafka-1', 'kafka-3');
    await waitForAcks(p, 1_000, 180_000);
    const resumedAfterMs = Date.now() - restartedAt;
    await waitUntil(
      'ISR back to 3 on every partition',
      () => underReplicated(admin),
      (n) => n === 0,
      180_000,
      250,
    );
    const isrBackMs = Date.now() - restartedAt;
    const acked = await p.stop();
    running = undefined;
    expect(acked).toBeGreaterThan(ackedWhileBlocked);

    const kafkaSide = await kafkaDuplicates(p.prefix, from, await endOffsets());
    expect(kafkaSide.duplicates.slice(0, 5)).toEqual([]);
    expect(kafkaSide.points).toBe(acked);
    const { mismatches } = await waitForExactSet(p, since, 180_000);
    expect(mismatches.slice(0, 5)).toEqual([]);
    report('2 two brokers killed', {
      points: acked,
      lost: 0,
      duplicatesInKafka: kafkaSide.duplicates.length,
      blockedAfterSecondKillMs: blockedAfterMs,
      pointsHeldUnacknowledgedWhileBlocked: heldWhileBlocked,
      producingResumedAfterRestartMs: resumedAfterMs,
      isrBackTo3AfterRestartMs: isrBackMs,
    });
  });
});
