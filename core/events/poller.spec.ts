import { afterEach, describe, expect, it, vi } from 'vitest';
import { Poller } from './poller';

afterEach(() => vi.useRealTimers());

describe('Poller', () => {
  it('polls at start and every interval, and never runs two polls at once', async () => {
    vi.useFakeTimers();
    let running = 0;
    let most = 0;
    let calls = 0;
    let finish: () => void = () => {};
    const poller = new Poller(() => {
      calls++;
      running++;
      most = Math.max(most, running);
      return new Promise<void>((r) => {
        finish = () => {
          running--;
          r();
        };
      });
    }, 1_000);
    poller.start();
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(3_500); // the first poll still hangs: ticks are skipped
    expect(calls).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(2);
    expect(most).toBe(1);
    poller.stop();
    finish();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(2);
  });
});
