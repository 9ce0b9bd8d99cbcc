/** Time source, injected so tests can drive the scheduler without waiting. */
export interface Clock {
  /** Monotonic milliseconds, for scheduling and measuring durations. */
  monoMs(): number;
  /** Wall-clock nanoseconds since the epoch, strictly increasing between calls. */
  epochNs(): bigint;
  /**
   * Wall-clock nanoseconds at a monotonic instant (past or future): what a point scheduled for that
   * instant is stamped with. Clocks without it stamp the moment of generation instead.
   */
  epochNsAt?(monoMs: number): bigint;
}

/**
 * Wall time anchored once, then advanced by the monotonic high-resolution timer: nanosecond
 * resolution (Date.now() has only milliseconds) and never going backwards when NTP adjusts.
 */
export function systemClock(): Clock {
  const wallOriginNs = BigInt(Date.now()) * 1_000_000n;
  const hrOrigin = process.hrtime.bigint();
  const monoOrigin = performance.now();
  let last = 0n;
  return {
    monoMs: () => performance.now(),
    epochNsAt: (monoMs) => wallOriginNs + BigInt(Math.round((monoMs - monoOrigin) * 1e6)),
    epochNs: () => {
      let now = wallOriginNs + (process.hrtime.bigint() - hrOrigin);
      if (now <= last) now = last + 1n;
      last = now;
      return now;
    },
  };
}
