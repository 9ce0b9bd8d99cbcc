/** Time source, injected so tests can drive the scheduler without waiting. */
export interface Clock {
  /** Monotonic milliseconds, for scheduling and measuring durations. */
  monoMs(): number;
  /** Wall-clock nanoseconds since the epoch, strictly increasing between calls. */
  epochNs(): bigint;
}

/**
 * Wall time anchored once, then advanced by the monotonic high-resolution timer: nanosecond
 * resolution (Date.now() has only milliseconds) and never going backwards when NTP adjusts.
 */
export function systemClock(): Clock {
  const wallOriginNs = BigInt(Date.now()) * 1_000_000n;
  const hrOrigin = process.hrtime.bigint();
  let last = 0n;
  return {
    monoMs: () => performance.now(),
    epochNs: () => {
      let now = wallOriginNs + (process.hrtime.bigint() - hrOrigin);
      if (now <= last) now = last + 1n;
      last = now;
      return now;
    },
  };
}
