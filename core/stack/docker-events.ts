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
 * Container actions that change nothing the app shows. Health checks run as execs: each check is
 * three events (create, start, die), every 2 s for each of the stack's services, and re-inspecting
 * the whole project for each of them was most of what the idle app cost (CPU here and in dockerd).
 * A check's outcome that does change arrives as its own `health_status: …` event.
 */
const NO_CHANGE =
  /^(exec_create|exec_start|exec_die|exec_detach|top|attach|detach|resize|archive-path|extract-to-dir|export|copy)\b/;

/**
 * Whether a chunk of the event stream (one JSON message per line) holds an event that may change
 * the containers' state. Anything it cannot read counts as a change: one inspection too many is
 * cheap, a missed change is not.
 */
export function changesState(chunk: Buffer | string): boolean {
  const lines = chunk
    .toString()
    .split('\n')
    .filter((l) => l.trim() !== '');
  if (lines.length === 0) return false;
  return lines.some((line) => {
    try {
      const ev = JSON.parse(line) as { Action?: unknown; status?: unknown };
      const action = typeof ev.Action === 'string' ? ev.Action : ev.status;
      return typeof action !== 'string' || !NO_CHANGE.test(action);
    } catch {
      return true;
    }
  });
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
          stream.on('data', (chunk: Buffer | string) => {
            if (changesState(chunk)) opts.onChange();
          });
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
