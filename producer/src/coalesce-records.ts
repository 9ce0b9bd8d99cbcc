import type { KeyedRecord } from './record-sink';

/**
 * The largest Kafka message the producer writes, in bytes. Telegraf refuses larger messages
 * (`max_message_len` in stack/telegraf/telegraf.conf, the same number): its no-drop arithmetic
 * bounds the points one message can hold by this size.
 */
export const MAX_MESSAGE_BYTES = 16384;

/**
 * Packs consecutive points of the same walk into one Kafka message (lines joined by "\n", keyed
 * by that walk), keeping each walk's order. Kafka's and Telegraf's cost is per message, so under
 * load, when a send batch holds several ticks, this cuts the message count by the points per walk
 * in the batch; at light load a batch is one tick and every message is still one point.
 * A message never exceeds `maxPointsPerMessage` points nor `maxBytes` bytes.
 */
export function coalesceByKey(
  batch: readonly KeyedRecord[],
  maxPointsPerMessage: number,
  maxBytes = MAX_MESSAGE_BYTES,
): KeyedRecord[] {
  if (maxPointsPerMessage <= 1) return [...batch];
  const open = new Map<string, { record: KeyedRecord; points: number; bytes: number }>();
  const out: KeyedRecord[] = [];
  for (const r of batch) {
    const current = open.get(r.key);
    const bytes = Buffer.byteLength(r.value);
    if (current && current.points < maxPointsPerMessage && current.bytes + 1 + bytes <= maxBytes) {
      current.record.value += `\n${r.value}`;
      current.points++;
      current.bytes += 1 + bytes;
    } else {
      const record = { key: r.key, value: r.value };
      open.set(r.key, { record, points: 1, bytes });
      out.push(record);
    }
  }
  return out;
}
