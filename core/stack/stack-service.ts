import { execFile } from 'node:child_process';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import {
  type ApiErrorData,
  type ContainerState,
  type Health,
  type PipelineState,
  SERVICE_NAMES,
  type ServiceInfo,
  type ServiceName,
  type StackStatus,
} from '../contract/data';
import { toErrorData, WalkstreamError } from '../contract/errors';
import type { EventHub } from '../events/event-hub';

const run = promisify(execFile);

export interface StackServiceOptions {
  /** Looked up per use: the engine may change while the app runs (Docker started, context switched). */
  docker: () => Dockerode;
  /** The docker CLI and the environment that points it at the same engine as `docker`. */
  cli: () => Promise<{ path: string; env: NodeJS.ProcessEnv }>;
  project: string;
  stackDir: string;
  /** compose.yaml first, then overrides (e.g. the local-images one); read per call, settings may change it. */
  composeFiles: () => string[];
  envFile?: string;
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
  private events: Readable | null = null;
  private closed = false;
  private refreshing: Promise<StackStatus> | null = null;
  private refreshAgain = false;
  private latest: StackStatus | null = null;

  constructor(private readonly opts: StackServiceOptions) {}

  /** Starts following the Docker event stream (reconnecting when it drops). */
  init(): void {
    void this.followEvents();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.events?.destroy();
  }

  async status(): Promise<StackStatus> {
    return this.refresh();
  }

  async up(): Promise<StackStatus> {
    return this.runLifecycle('starting', 'start', async () => {
      await this.opts.preflight();
      await this.compose(['up', '-d', '--wait', '--wait-timeout', '300'], 330_000);
    });
  }

  async down(removeVolumes: boolean): Promise<StackStatus> {
    // Services of other profiles (a headless producer started from the CLI) belong to the
    // pipeline too: without naming their profiles, `down` would leave them behind.
    const profiles = (this.opts.profiles ?? []).flatMap((p) => ['--profile', p]);
    return this.runLifecycle('stopping', 'stop', () =>
      this.compose([...profiles, 'down', '--remove-orphans', ...(removeVolumes ? ['-v'] : [])], 120_000).then(
        () => {},
      ),
    );
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

  async restartService(service: ServiceName): Promise<StackStatus> {
    await (await this.container(service)).restart({ t: 10 });
    return this.refresh();
  }

  async stopService(service: ServiceName): Promise<StackStatus> {
    await (await this.container(service)).stop({ t: 10 }).catch(ignoreNotModified);
    return this.refresh();
  }

  async startService(service: ServiceName): Promise<StackStatus> {
    await (await this.container(service)).start().catch(ignoreNotModified);
    return this.refresh();
  }

  /** SIGKILL, no shutdown: a crash. Docker counts it as a manual stop, so no restart policy fires. */
  async killService(service: ServiceName): Promise<StackStatus> {
    await (await this.container(service)).kill({ signal: 'SIGKILL' });
    return this.refresh();
  }

  async pauseService(service: ServiceName): Promise<StackStatus> {
    await (await this.container(service)).pause();
    return this.refresh();
  }

  async unpauseService(service: ServiceName): Promise<StackStatus> {
    const container = await this.container(service);
    // Unpausing a running container is an error in Docker; here it is simply nothing to do.
    if ((await container.inspect()).State.Paused) await container.unpause();
    return this.refresh();
  }

  async logs(service: ServiceName, lines: number): Promise<{ service: string; lines: string[] }> {
    const raw = (await (
      await this.container(service)
    ).logs({ stdout: true, stderr: true, tail: lines, follow: false })) as Buffer;
    return {
      service,
      lines: demuxDockerLogs(raw)
        .split('\n')
        .filter((l) => l.length > 0)
        .slice(-lines),
    };
  }

  private async container(service: ServiceName): Promise<Dockerode.Container> {
    const list = await this.listContainers();
    const found = list.find((c) => c.Labels['com.docker.compose.service'] === service);
    if (!found) {
      throw new WalkstreamError(
        'SERVICE_NOT_RUNNING',
        `The service "${service}" is not part of the running stack. Start the pipeline first.`,
      );
    }
    return this.opts.docker().getContainer(found.Id);
  }

  private listContainers(): Promise<Dockerode.ContainerInfo[]> {
    return this.opts.docker().listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${this.opts.project}`] },
    });
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
      const list = await this.listContainers();
      this.dockerAvailable = true;
      // Docker is back: its absence (seen by a refresh or by a failed start) is no longer the
      // thing to tell the user about.
      if (this.lastError && DOCKER_GONE.has(this.lastError.code)) this.lastError = null;
      const docker = this.opts.docker();
      const details = await Promise.all(
        list.map((c) =>
          docker
            .getContainer(c.Id)
            .inspect()
            .catch(() => null),
        ),
      );
      infos = SERVICE_NAMES.map((service) => {
        const i = list.findIndex((c) => c.Labels['com.docker.compose.service'] === service);
        const d = i >= 0 ? details[i] : null;
        return d ? toServiceInfo(service, d) : notAvailable(service);
      });
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

  private async followEvents(): Promise<void> {
    while (!this.closed) {
      try {
        const stream = (await this.opts.docker().getEvents({
          filters: { type: ['container'], label: [`com.docker.compose.project=${this.opts.project}`] },
        })) as unknown as Readable;
        this.events = stream;
        void this.refresh();
        await new Promise<void>((resolve) => {
          stream.on('data', () => void this.refresh());
          stream.once('end', resolve);
          stream.once('close', resolve);
          stream.once('error', resolve);
        });
      } catch (err) {
        this.opts.log?.(`docker event stream: ${(err as Error).message}`);
      }
      if (this.closed) return;
      void this.refresh(); // shows Docker as unavailable while it is gone
      await new Promise((r) => setTimeout(r, this.opts.reconnectDelayMs ?? 2_000));
    }
  }

  private async compose(args: string[], timeout: number): Promise<string> {
    const base = ['compose', '-p', this.opts.project, '--project-directory', this.opts.stackDir];
    if (this.opts.envFile) base.push('--env-file', this.opts.envFile);
    for (const f of this.opts.composeFiles()) base.push('-f', f);
    const cli = await this.opts.cli();
    const { stdout } = await run(cli.path, [...base, ...args], {
      timeout,
      env: cli.env,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  }

  get current(): StackStatus | null {
    return this.latest;
  }
}

const DOCKER_GONE = new Set(['DOCKER_UNAVAILABLE', 'DOCKER_NOT_RUNNING', 'DOCKER_CONTEXT_INVALID']);

function ignoreNotModified(err: { statusCode?: number }): void {
  if (err.statusCode !== 304) throw err;
}

function composeError(verb: string, err: unknown): WalkstreamError {
  const e = err as { stderr?: string; message?: string; killed?: boolean };
  const detail = (e.stderr || e.message || String(err))
    .trim()
    .split('\n')
    .filter(Boolean)
    .slice(-3)
    .join(' / ');
  return new WalkstreamError(
    'COMPOSE_FAILED',
    e.killed
      ? `Could not ${verb} the stack in time: a service did not become healthy. Check its logs in the service card.`
      : `Could not ${verb} the stack: ${detail}`,
    { retriable: true },
  );
}

function notAvailable(service: ServiceName): ServiceInfo {
  return {
    service,
    state: 'not-available',
    health: 'none',
    containerId: null,
    startedAt: null,
    restartCount: 0,
    ports: [],
    image: null,
  };
}

function toServiceInfo(service: ServiceName, d: Dockerode.ContainerInspectInfo): ServiceInfo {
  const ports: ServiceInfo['ports'] = [];
  for (const [key, bindings] of Object.entries(d.NetworkSettings?.Ports ?? {})) {
    for (const b of bindings ?? []) {
      ports.push({ host: b.HostIp, hostPort: Number(b.HostPort), containerPort: Number(key.split('/')[0]) });
    }
  }
  const health = (d.State.Health?.Status as Health | undefined) ?? 'none';
  return {
    service,
    state: d.State.Status as ContainerState,
    health,
    containerId: d.Id,
    startedAt: d.State.Running ? d.State.StartedAt : null,
    restartCount: d.RestartCount ?? 0,
    ports,
    image: d.Config.Image,
  };
}

export function pipelineState(
  lifecycle: 'starting' | 'stopping' | null,
  error: ApiErrorData | null,
  services: ServiceInfo[],
): PipelineState {
  if (lifecycle === 'starting') return 'starting';
  if (lifecycle === 'stopping') return 'stopping';
  const present = services.filter((s) => s.state !== 'not-available');
  if (present.length === 0) return error ? 'error' : 'stopped';
  const ok = (s: ServiceInfo) => s.state === 'running' && (s.health === 'healthy' || s.health === 'none');
  if (present.every(ok)) return 'running';
  if (present.every((s) => s.state === 'exited' || s.state === 'created')) return error ? 'error' : 'stopped';
  return 'degraded';
}

/** Docker multiplexes stdout/stderr of non-TTY containers in 8-byte-header frames. */
export function demuxDockerLogs(buf: Buffer): string {
  let out = '';
  let i = 0;
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2 || buf[i] === 0) && buf[i + 1] === 0) {
    const size = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return i === 0 ? buf.toString('utf8') : out;
}
