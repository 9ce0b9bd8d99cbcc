/**
 * Runs `poll` every `intervalMs`, at most one at a time: a slow answer (a service restarting, a
 * hung connection) skips ticks instead of piling up requests. The first poll runs at start.
 */
export class Poller {
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;

  constructor(
    private readonly poll: () => Promise<unknown>,
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    void this.tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      await this.poll();
    } catch {
      // Each poll reports its own failures (as data its listeners see); nothing to add here.
    } finally {
      this.inFlight = false;
    }
  }
}
