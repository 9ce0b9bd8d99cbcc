import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';
import { describe, expect, it } from 'vitest';
import { fixKafkajsIdleTimers } from './kafkajs-idle-timer-fix';

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function queue(): Queue {
  const Queue = RequestQueue as unknown as new (opts: object) => Queue;
  return new Queue({
    maxInFlightRequests: 1,
    requestTimeout: 1_000,
    enforceRequestTimeout: true,
    clientId: 't',
    broker: 'b:9092',
    logger: quiet,
  });
}

describe('fixKafkajsIdleTimers', () => {
  it('leaves a queue with nothing pending and no throttle without a timer', () => {
    fixKafkajsIdleTimers();
    const q = queue();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still schedules the check of a throttled queue, and of one with requests pending', () => {
    fixKafkajsIdleTimers();
    fixKafkajsIdleTimers(); // applied once, however often it is asked
    const throttled = queue();
    throttled.throttledUntil = Date.now() + 60_000;
    throttled.scheduleCheckPendingRequests();
    expect(throttled.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(throttled.throttleCheckTimeoutId as NodeJS.Timeout);

    const waiting = queue();
    waiting.pending.push({});
    waiting.scheduleCheckPendingRequests();
    expect(waiting.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(waiting.throttleCheckTimeoutId as NodeJS.Timeout);
  });
});
