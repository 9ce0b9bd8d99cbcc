import { describe, expect, it } from 'vitest';
import { coalesceByKey } from './coalesce-records';

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

  it('does not modify the records it was given', () => {
    const batch = [rec('a', 0), rec('a', 1)];
    const copy = structuredClone(batch);
    coalesceByKey(batch, 10);
    expect(batch).toEqual(copy);
  });
});
