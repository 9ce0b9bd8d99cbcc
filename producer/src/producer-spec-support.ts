/** What the producer's specs share: waiting for a metrics event, and reading a walk's steps back. */
import type { WalkProducer } from './producer';
import type { ProducerMetrics } from './producer-metrics';
import type { KeyedRecord } from './record-sink';

/** Resolves with the first metrics event that satisfies `pred`. */
export function nextMetrics(
  p: WalkProducer,
  pred: (m: ProducerMetrics) => boolean,
): Promise<ProducerMetrics> {
  return new Promise((resolve) => {
    const off = p.on('metrics', (m) => {
      if (pred(m)) {
        off();
        resolve(m);
      }
    });
  });
}

/** The most points the producer held at once, over every metrics event from now on. */
export function trackMaxQueued(p: WalkProducer): { readonly max: number } {
  const seen = { max: 0 };
  p.on('metrics', (m) => {
    seen.max = Math.max(seen.max, m.queuedPoints);
  });
  return seen;
}

/**
 * Starts the producer, lets it run until it has skipped a tick (and `also` holds), then stops it:
 * the metrics at that moment, the most points it held at once, and its stop report.
 */
export async function runUntilSkipping(
  p: WalkProducer,
  also: (m: ProducerMetrics) => boolean = () => true,
): Promise<{
  skipping: ProducerMetrics;
  maxQueued: number;
  report: Awaited<ReturnType<WalkProducer['stop']>>;
}> {
  const queued = trackMaxQueued(p);
  await p.start();
  const skipping = await nextMetrics(p, (m) => m.ticksSkipped > 0 && also(m));
  const report = await p.stop();
  return { skipping, maxQueued: queued.max, report };
}

/** The seq field of each line-protocol record, in the order they were sent. */
export const seqOf = (record: KeyedRecord): number => Number(/seq=(\d+)i/.exec(record.value)?.[1]);
