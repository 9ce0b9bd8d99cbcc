import type { Clock } from './clock';
import { coalesceByKey } from './coalesce-records';
import { RecordQueue } from './record-queue';
import type { KeyedRecord, RecordSink } from './record-sink';

export interface SendLaneOptions {
  sink: RecordSink;
  clock: Clock;
  /** Most points per send. */
  maxBatchPoints: number;
  maxPointsPerMessage: number;
  /**
   * How long a record may wait for more of its walk before it is sent (0: at once). Kafka and
   * Telegraf pay per message: at high tick rates a message per walk per tick costs them more than
   * the points do.
   */
  lingerMs(): number;
  /** Pause before sending a batch again that the sink gave up on. */
  retryDelayMs: number;
  /** False once the producer stops: the lane then sends what it holds and ends. */
  isRunning(): boolean;
  /** Monotonic ms after which the lane abandons what it holds (Infinity while running). */
  deadline(): number;
  onAcknowledged(points: number, latencyMs: number): void;
  onError(err: unknown): void;
}

/**
 * One partition's records, sent in order, one send at a time. A partition gets one lane, so a
 * partition whose broker does not answer holds back only its own records while the others flow.
 * One send at a time because kafkajs' idempotence numbers each partition's records in sequence:
 * two sends to one partition in flight at once can be written twice (see kafka-sink.ts).
 */
export class SendLane {
  private readonly queue = new RecordQueue();
  private generated = 0;
  private acknowledged = 0;
  /** Monotonic ms when the oldest record still queued arrived (about: see run()). */
  private oldestAt = 0;

  constructor(private readonly opts: SendLaneOptions) {}

  /** Points handed to this lane and not acknowledged yet (queued or being sent). */
  get unacknowledged(): number {
    return this.generated - this.acknowledged;
  }

  push(records: KeyedRecord[]): void {
    this.generated += records.length;
    if (this.queue.size === 0) this.oldestAt = this.opts.clock.monoMs();
    this.queue.push(records);
  }

  /** Lets a lane waiting for records notice that the producer is stopping. */
  wake(): void {
    this.queue.wake();
  }

  /** Sends until the producer stops and the lane is empty, or the stop deadline passes. */
  async run(): Promise<void> {
    const o = this.opts;
    for (;;) {
      if (this.queue.size === 0) {
        if (!o.isRunning()) return;
        await this.queue.waitForData();
        continue;
      }
      if (o.clock.monoMs() > o.deadline()) return;
      const wait = this.oldestAt + o.lingerMs() - o.clock.monoMs();
      if (wait > 0 && o.isRunning() && this.queue.size < o.maxBatchPoints) {
        await this.queue.waitForMore(wait);
        continue;
      }
      const batch = this.queue.take(o.maxBatchPoints);
      // What is left arrived after the oldest: counting its wait from now only sends it sooner.
      this.oldestAt = o.clock.monoMs();
      const messages = coalesceByKey(batch, o.maxPointsPerMessage);
      const t0 = o.clock.monoMs();
      // The same messages until they are taken: a retry of a request the broker may already have
      // written must carry exactly the records (and so the sequence numbers) it carried the first time.
      for (;;) {
        try {
          await o.sink.send(messages, o.onError);
          break;
        } catch (err) {
          o.onError(err);
          const left = o.deadline() - o.clock.monoMs();
          if (left <= 0) return;
          await sleep(Math.min(o.retryDelayMs, left));
        }
      }
      this.acknowledged += batch.length;
      o.onAcknowledged(batch.length, o.clock.monoMs() - t0);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
