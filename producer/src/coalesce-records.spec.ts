import { describe, expect, it } from 'vitest';
import { coalesceByKey, MAX_MESSAGE_BYTES } from './coalesce-records';

const rec = (key: string, seq: number) => ({ key, value: `m,walk=${key} value=1,seq=${seq}i ${seq}` });

describe('coalesceByKey', () => {
  it("joins each walk's points into one message per walk, in order", () => {
    const batch = [rec('a', 0), rec('b', 0), rec('a', 1), rec('b', 1), rec('a', 2)];
    expect(coalesceByKey(batch, 100)).toEqual([
      { key: 'a', value: [rec('a', 0), rec('a', 1), rec('a', 2)].map((r) => r.value).join('\n') },
      { key: 'b', value: [rec('b', 0), rec('b', 1)].map((r) => r.value).join('\n') },
    ]);
  });

  it('starts a new message when one is full, and the later one follows the earlier', () => {
    const batch = [0, 1, 2, 3, 4].map((s) => rec('a', s));
    const out = coalesceByKey(batch, 2);
    expect(out.map((m) => m.value.split('\n').length)).toEqual([2, 2, 1]);
    expect(out.flatMap((m) => m.value.split('\n'))).toEqual(batch.map((r) => r.value));
  });

  it('leaves a one-tick batch as one point per message', () => {
    const batch = [rec('a', 0), rec('b', 0), rec('c', 0)];
    expect(coalesceByKey(batch, 100)).toEqual(batch);
  });

  it('starts a new message before one would exceed the byte bound, and keeps every point', () => {
    const batch = [0, 1, 2, 3, 4, 5].map((s) => rec('a', s));
    const lineBytes = Buffer.byteLength(batch[0]?.value ?? '');
    // Room for exactly two lines and their separator.
    const out = coalesceByKey(batch, 100, 2 * lineBytes + 1);
    expect(out.map((m) => m.value.split('\n').length)).toEqual([2, 2, 2]);
    expect(out.every((m) => Buffer.byteLength(m.value) <= 2 * lineBytes + 1)).toBe(true);
    expect(out.flatMap((m) => m.value.split('\n'))).toEqual(batch.map((r) => r.value));
  });

  it('keeps the default byte bound at MAX_MESSAGE_BYTES even for long lines', () => {
    const long = (s: number) => ({ key: 'a', value: `m,walk=a value=1,seq=${s}i ${'9'.repeat(3000)}` });
    const out = coalesceByKey([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(long), 100);
    expect(out.length).toBeGreaterThan(1);
    expect(Math.max(...out.map((m) => Buffer.byteLength(m.value)))).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  it('does not modify the records it was given', () => {
    const batch = [rec('a', 0), rec('a', 1)];
    const copy = structuredClone(batch);
    coalesceByKey(batch, 10);
    expect(batch).toEqual(copy);
  });
});
