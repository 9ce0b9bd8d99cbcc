import type Dockerode from 'dockerode';
import {
  type ApiErrorData,
  SERVICE_NAMES,
  type ServiceInfo,
  type ServiceName,
  type StackStatus,
} from '../contract/data';
import { toErrorData, WalkstreamError } from '../contract/errors';
import type { EventHub } from '../events/event-hub';
import { type ComposeExtras, type ComposeProject, composeError, runCompose } from './compose-cli';
import { notAvailable, pipelineState } from './container-mapping';
import { followDockerEvents } from './docker-events';
import { ProjectContainers } from './project-containers';

export interface StackServiceOptions extends ComposeProject {
  /** Looked up per use: the engine may change while the app runs (Docker started, context switched). */
  docker: () => Dockerode;
  /** Profiles whose services `down` removes too (e.g. the headless producer). */
  profiles?: string[];
  hub: EventHub;
  /** Runs before `up`; throws a WalkstreamError saying what to fix. */
  preflight: () => Promise<void>;
  /** Says where the engine was looked for and what to do, when it does not answer. */
  engineUnreachable?: (err: NodeJS.ErrnoException) => WalkstreamError;
  /** Delay before reconnecting a dropped Docker event stream; tests shorten it. */
  reconnectDelayMs?: number;
  log?: (message: string) => void;
}

/**
 * The stack: lifecycle through the Compose CLI, observation and single-container control through
 * dockerode. Containers are found by the compose project label; the Docker event stream triggers
 * a refresh, which is published as a whole StackStatus (plain data, no dockerode objects).
 */
export class StackService {
  private lifecycle: 'starting' | 'stopping' | null = null;
  private lastError: ApiErrorData | null = null;
  private dockerAvailable = true;
  private events: { close(): void } | null = null;
  private closed = false;
  private refreshing: Promise<StackStatus> | null = null;
  private refreshAgain = false;
  private latest: StackStatus | null = null;
  private readonly containers: ProjectContainers;

  constructor(private readonly opts: StackServiceOptions) {
    this.containers = new ProjectContainers(opts.docker, opts.project);
  }

  /** Starts following the Docker event stream (reconnecting when it drops). */
  init(): void {
    if (this.closed) return;
    this.events = followDockerEvents({
      docker: this.opts.docker,
      project: this.opts.project,
      onChange: () => void this.refresh(),
      reconnectDelayMs: this.opts.reconnectDelayMs,
      log: this.opts.log,
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.events?.close();
  }

  async status(): Promise<StackStatus> {
    return this.refresh();
  }

  async up(): Promise<StackStatus> {
    return this.runLifecycle('starting', 'start', async () => {
      await this.opts.preflight();
      await runCompose(this.opts, ['up', '-d', '--wait', '--wait-timeout', '300'], 330_000);
    });
  }

  /**
   * Starts these services alone (no dependencies, no pre-flight of the whole stack), with extra
   * override files and interpolation variables: connect mode's bridge.
   */
  async upAlone(services: ServiceName[], extras: ComposeExtras): Promise<StackStatus> {
    return this.runLifecycle('starting', 'start', async () => {
      const args = ['up', '-d', '--wait', '--wait-timeout', '120', '--no-deps', ...services];
      await runCompose(this.opts, args, 150_000, extras);
    });
  }

  async down(removeVolumes: boolean): Promise<StackStatus> {
    // Services of other profiles (a headless producer started from the CLI) belong to the
    // pipeline too: without naming their profiles, `down` would leave them behind.
    const profiles = (this.opts.profiles ?? []).flatMap((p) => ['--profile', p]);
    const args = [...profiles, 'down', '--remove-orphans', ...(removeVolumes ? ['-v'] : [])];
    return this.runLifecycle('stopping', 'stop', () => runCompose(this.opts, args, 120_000).then(() => {}));
  }

  /** One lifecycle step at a time; its progress and outcome are published as they happen. */
  private async runLifecycle(
    phase: 'starting' | 'stopping',
    verb: string,
    action: () => Promise<void>,
  ): Promise<StackStatus> {
    if (this.lifecycle) {
      throw new WalkstreamError(
        'STACK_BUSY',
        `The stack is already ${this.lifecycle}; wait for it to finish.`,
        {
          retriable: true,
        },
      );
    }
    this.lifecycle = phase;
    this.lastError = null;
    void this.refresh();
    try {
      await action();
    } catch (err) {
      const error = err instanceof WalkstreamError ? err : composeError(verb, err);
      this.lastError = toErrorData(error);
      this.lifecycle = null;
      await this.refresh();
      throw error;
    }
    this.lifecycle = null;
    return this.refresh();
  }

  restartService(service: ServiceName): Promise<StackStatus> {
    return this.thenRefresh(this.containers.restart(service));
  }

  stopService(service: ServiceName): Promise<StackStatus> {
    return this.thenRefresh(this.containers.stop(service));
  }

  startService(service: ServiceName): Promise<StackStatus> {
    return this.thenRefresh(this.containers.start(service));
  }

  /** A crash: no shutdown, and no restart policy fires (see ProjectContainers.kill). */
  killService(service: ServiceName): Promise<StackStatus> {
    return this.thenRefresh(this.containers.kill(service));
  }

  pauseService(service: ServiceName): Promise<StackStatus> {
    return this.thenRefresh(this.containers.pause(service));
  }

  unpauseService(service: ServiceName): Promise<StackStatus> {
    return this.thenRefresh(this.containers.unpause(service));
  }

  logs(service: ServiceName, lines: number): Promise<{ service: string; lines: string[] }> {
    return this.containers.logs(service, lines);
  }

  /** A container action answers with the stack as it is after it, not with the next event's. */
  private async thenRefresh(action: Promise<void>): Promise<StackStatus> {
    await action;
    return this.refresh();
  }

  /** Coalesces concurrent refreshes: a burst of Docker events costs at most two inspections. */
  private refresh(): Promise<StackStatus> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      let status: StackStatus;
      do {
        this.refreshAgain = false;
        status = await this.inspect();
      } while (this.refreshAgain);
      this.latest = status;
      this.opts.hub.publish('stack:status', status);
      return status;
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async inspect(): Promise<StackStatus> {
    let infos: ServiceInfo[];
    try {
      const list = await this.containers.list();
      this.dockerAvailable = true;
      // Docker is back: its absence (seen by a refresh or by a failed start) is no longer the
      // thing to tell the user about.
      if (this.lastError && DOCKER_GONE.has(this.lastError.code)) this.lastError = null;
      infos = await this.containers.describe(list);
    } catch (err) {
      this.dockerAvailable = false;
      infos = SERVICE_NAMES.map(notAvailable);
      // A WalkstreamError (a docker context that does not exist) already says what to do.
      if (!this.lifecycle)
        this.lastError = toErrorData(
          err instanceof WalkstreamError
            ? err
            : (this.opts.engineUnreachable?.(err as NodeJS.ErrnoException) ??
                new WalkstreamError(
                  'DOCKER_UNAVAILABLE',
                  `Docker does not answer (${(err as Error).message}). Is Docker running?`,
                  { retriable: true },
                )),
        );
    }
    return {
      state: pipelineState(this.lifecycle, this.lastError, infos),
      services: infos,
      error: this.lastError,
      dockerAvailable: this.dockerAvailable,
      updatedAt: Date.now(),
    };
  }

  get current(): StackStatus | null {
    return this.latest;
  }
}

const DOCKER_GONE = new Set(['DOCKER_UNAVAILABLE', 'DOCKER_NOT_RUNNING', 'DOCKER_CONTEXT_INVALID']);
