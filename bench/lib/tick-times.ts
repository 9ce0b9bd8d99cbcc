/**
 * The event time of every tick, as the producer stamped it. Every walk's seq is its tick number,
 * so seq s of any walk carries the timestamp of tick s: the bench records each stamp the producer
 * asks its clock for, in order, and reads a point's event time back by its seq.
 */
import type { Clock } from '@walkstream/producer';

export interface TickTimes {
  /**
   * The producer stamps a tick with `epochNsAt(its scheduled monoMs)`, or with `epochNs()` (the
   * moment of generation) on a clock without it; this clock has both and records whichever is
   * asked, so latency runs from the time in the point, late generation included.
   */
  clock: Required<Clock>;
  /** Epoch ms stamped on tick i (sub-millisecond precision). */
  readonly ms: readonly number[];
}

export function recordTickTimes(base: Clock): TickTimes {
  const ms: number[] = [];
  const record = (ns: bigint) => {
    ms.push(nsToMs(ns));
    return ns;
  };
  const anchorMono = base.monoMs();
  const anchorNs = base.epochNs();
  const epochNsAt =
    base.epochNsAt?.bind(base) ??
    ((monoMs: number) => anchorNs + BigInt(Math.round((monoMs - anchorMono) * 1e6)));
  return {
    ms,
    clock: {
      monoMs: () => base.monoMs(),
      epochNs: () => record(base.epochNs()),
      epochNsAt: (monoMs: number) => record(epochNsAt(monoMs)),
    },
  };
}

/** Epoch ns → epoch ms as a double (exact to well under a microsecond for current dates). */
export function nsToMs(ns: bigint): number {
  return Number(ns / 1_000n) / 1_000;
}

/** An RFC 3339 timestamp as Flux returns `_time` (up to ns digits) → epoch ms, keeping the fraction. */
export function rfc3339ToMs(time: string): number {
  const m = /^(.+T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return Number.NaN;
  return Date.parse(`${m[1]}${m[3]}`) + (m[2] ? Number(`0.${m[2]}`) * 1000 : 0);
}
