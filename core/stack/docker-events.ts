import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';

export interface DockerEventsOptions {
  /** Looked up per connection: the engine may change while the app runs. */
  docker: () => Dockerode;
  project: string;
  /** Called on each event of the project's containers, and whenever the stream connects or drops. */
  onChange: () => void;
  /** Delay before reconnecting a dropped stream; tests shorten it. */
  reconnectDelayMs?: number;
  log?: (message: string) => void;
}

/**
 * Follows the Docker event stream of one Compose project's containers. Events only say that
 * something changed (the caller re-inspects); a dropped stream (Docker restarted, gone, switched)
 * is reconnected after a delay, until `close`.
 */
export function followDockerEvents(opts: DockerEventsOptions): { close(): void } {
  let closed = false;
  let events: Readable | null = null;
  void (async () => {
    while (!closed) {
      try {
        const stream = (await opts.docker().getEvents({
          filters: { type: ['container'], label: [`com.docker.compose.project=${opts.project}`] },
        })) as unknown as Readable;
        events = stream;
        opts.onChange();
        await new Promise<void>((resolve) => {
          stream.on('data', () => opts.onChange());
          stream.once('end', resolve);
          stream.once('close', resolve);
          stream.once('error', resolve);
        });
      } catch (err) {
        opts.log?.(`docker event stream: ${(err as Error).message}`);
      }
      if (closed) return;
      opts.onChange(); // shows Docker as unavailable while it is gone
      await new Promise((r) => setTimeout(r, opts.reconnectDelayMs ?? 2_000));
    }
  })();
  return {
    close() {
      closed = true;
      events?.destroy();
    },
  };
}
