/// <reference path="./kafkajs-request-queue.d.ts" />
/**
 * kafkajs 2.2.4 (the last release) keeps a 1 ms timer loop running on every broker connection
 * that has nothing pending: RequestQueue.scheduleCheckPendingRequests() schedules its next check
 * at `throttledUntil - now`, which is negative when nothing is throttled, and each check schedules
 * the next (tulios/kafkajs#1556, #1704; the fix proposed there is not released). In this app that
 * loop was most of the CPU an idle core spent. With nothing pending and no throttle there is nothing
 * to check: a new request is checked when it is pushed, a pending one when an in-flight one ends,
 * and a throttled queue still gets its timer.
 */
import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';

interface QueueState {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: unknown;
}

const PATCHED = Symbol.for('walkstream.kafkajs-idle-timer-fix');

export function fixKafkajsIdleTimers(): void {
  const proto = RequestQueue.prototype as Record<PropertyKey, unknown>;
  if (proto[PATCHED]) return;
  const schedule = proto.scheduleCheckPendingRequests as (this: QueueState) => void;
  proto.scheduleCheckPendingRequests = function (this: QueueState) {
    if (!this.throttleCheckTimeoutId && this.pending.length === 0 && this.throttledUntil <= Date.now())
      return;
    schedule.call(this);
  };
  proto[PATCHED] = true;
}
