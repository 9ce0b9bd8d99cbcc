import { describe, expect, it } from 'vitest';
import { nsToMs, recordTickTimes, rfc3339ToMs } from './tick-times';

const fakeClock = () => {
  let mono = 5_000;
  let ns = 1_700_000_000_000_000_000n;
  return {
    advance(ms: number) {
      mono += ms;
      ns += BigInt(ms * 1e6);
    },
    clock: { monoMs: () => mono, epochNs: () => ns },
  };
};

describe('recordTickTimes', () => {
  it('records each stamp taken with epochNs, in order', () => {
    const f = fakeClock();
    const t = recordTickTimes(f.clock);
    const first = t.clock.epochNs();
    f.advance(10);
    t.clock.epochNs();
    expect(t.ms).toEqual([nsToMs(first), nsToMs(first) + 10]);
  });

  it('records stamps of scheduled times too, derived from the base clock when it has no epochNsAt', () => {
    const f = fakeClock();
    const t = recordTickTimes(f.clock);
    f.advance(500);
    // A tick scheduled 100 ms after the anchor, stamped late: the stamp is the scheduled time.
    const ns = t.clock.epochNsAt?.(5_100);
    expect(ns).toBe(1_700_000_000_100_000_000n);
    expect(t.ms).toEqual([1_700_000_000_100]);
  });

  it("uses the base clock's own epochNsAt when it has one", () => {
    const base = { ...fakeClock().clock, epochNsAt: (mono: number) => BigInt(mono) * 1_000_000n };
    const t = recordTickTimes(base);
    expect(t.clock.epochNsAt?.(42)).toBe(42_000_000n);
    expect(t.ms).toEqual([42]);
  });
});

describe('rfc3339ToMs', () => {
  it('keeps the sub-millisecond digits of a Flux _time', () => {
    expect(rfc3339ToMs('2023-11-14T22:13:20.123456789Z')).toBeCloseTo(1_700_000_000_123.457, 3);
    expect(rfc3339ToMs('2023-11-14T22:13:20Z')).toBe(1_700_000_000_000);
  });

  it('agrees with the stamp it was written from', () => {
    const ns = 1_700_000_000_123_456_789n;
    expect(Math.abs(rfc3339ToMs('2023-11-14T22:13:20.123456789Z') - nsToMs(ns))).toBeLessThan(0.001);
  });

  it('is NaN for anything else', () => {
    expect(rfc3339ToMs('yesterday')).toBeNaN();
  });
});
