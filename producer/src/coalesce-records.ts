import type { KeyedRecord } from './record-sink';

/**
 * Packs consecutive points of the same walk into one Kafka message (lines joined by "\n", keyed
 * by that walk), keeping each walk's order. Kafka's and Telegraf's cost is per message, so under
 * load, when a send batch holds several ticks, this cuts the message count by the points per walk
 * in the batch; at light load a batch is one tick and every message is still one point.
 * Returns the messages and how many points each carries.
 */
export function coalesceByKey(batch: readonly KeyedRecord[], maxPointsPerMessage: number): KeyedRecord[] {
  if (maxPointsPerMessage <= 1) return [...batch];
  const open = new Map<string, { record: KeyedRecord; points: number }>();
  const out: KeyedRecord[] = [];
  for (const r of batch) {
    const current = open.get(r.key);
    if (current && current.points < maxPointsPerMessage) {
      current.record.value += `\n${r.value}`;
      current.points++;
    } else {
      const record = { key: r.key, value: r.value };
      open.set(r.key, { record, points: 1 });
      out.push(record);
    }
  }
  return out;
}
