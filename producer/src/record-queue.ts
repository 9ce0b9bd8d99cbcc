import type { KeyedRecord } from './record-sink';

/**
 * A FIFO of records, filled a tick at a time by the scheduler and drained in batches by a send
 * lane. Unbounded by itself: the producer bounds the points held across all lanes, so a slow Kafka
 * makes the scheduler skip ticks instead of growing memory.
 */
export class RecordQueue {
  private chunks: KeyedRecord[][] = [];
  private head = 0; // index of the first unsent record in chunks[0]
  private count = 0;
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.count;
  }

  push(chunk: KeyedRecord[]): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.count += chunk.length;
    this.wake();
  }

  /** Removes and returns up to `max` records in FIFO order. */
  take(max: number): KeyedRecord[] {
    const out: KeyedRecord[] = [];
    while (out.length < max && this.chunks.length > 0) {
      const chunk = this.chunks[0] as KeyedRecord[];
      const n = Math.min(max - out.length, chunk.length - this.head);
      for (let i = 0; i < n; i++) out.push(chunk[this.head + i] as KeyedRecord);
      this.head += n;
      if (this.head >= chunk.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.count -= out.length;
    return out;
  }

  /** Resolves when records arrive or wake() is called. */
  waitForData(): Promise<void> {
    if (this.count > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves after `ms`, or sooner when records arrive or wake() is called. */
  waitForMore(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
