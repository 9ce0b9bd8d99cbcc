/**
 * The one place that decides which engine and which docker CLI the core uses, looked up when
 * needed rather than at start: the user may start Docker Desktop (which switches the docker
 * context) or install the CLI while the app is open.
 */
import Dockerode from 'dockerode';
import type { ApiErrorData, DockerEngine } from '../contract/data';
import { WalkstreamError } from '../contract/errors';
import { type CliProbes, type DockerCli, findDockerCli, realProbes, withCliDirOnPath } from './docker-cli';
import { cliEnv, type DockerEndpoint, dockerodeOptions, resolveDockerEndpoint } from './docker-endpoint';
import { type EngineInfo, readEngineInfo } from './engine-info';

/** A user's choice, read when needed: the settings may change while the app runs. */
type Choice = string | undefined | (() => string | undefined);
const chosen = (c: Choice): string | undefined => (typeof c === 'function' ? c() : c) || undefined;

export interface DockerConnectionOptions {
  /** An engine address or context name chosen by the user; otherwise the docker CLI's own choice. */
  endpoint?: Choice;
  /** The docker CLI chosen by the user; otherwise searched for. */
  cliPath?: Choice;
  env?: NodeJS.ProcessEnv;
  probes?: CliProbes;
}

export class DockerConnection {
  private client: { key: string; docker: Dockerode } | null = null;
  private foundCli: { setting: string | undefined; cli: DockerCli } | null = null;

  constructor(private readonly opts: DockerConnectionOptions = {}) {}

  /** Read afresh each time (a few small files), so a context switch takes effect without a restart. */
  endpoint(): DockerEndpoint {
    return resolveDockerEndpoint({ override: chosen(this.opts.endpoint), env: this.env() });
  }

  /** The dockerode client for the current endpoint; rebuilt only when the endpoint changes. */
  api(endpoint: DockerEndpoint = this.endpoint()): Dockerode {
    const key = JSON.stringify(endpoint);
    if (this.client?.key !== key) this.client = { key, docker: new Dockerode(dockerodeOptions(endpoint)) };
    return this.client.docker;
  }

  /** Kept once found; a failed search is repeated next time, so installing Docker meanwhile helps. */
  async cli(): Promise<DockerCli> {
    const setting = chosen(this.opts.cliPath);
    if (!this.foundCli || this.foundCli.setting !== setting) {
      const cli = await findDockerCli({ setting, env: this.env() }, this.opts.probes ?? realProbes);
      this.foundCli = { setting, cli };
      return cli;
    }
    return this.foundCli.cli;
  }

  /** The CLI and the environment that makes it talk to the same engine as api(). */
  async cliProcess(): Promise<{ path: string; env: NodeJS.ProcessEnv }> {
    const { path } = await this.cli();
    return { path, env: withCliDirOnPath(path, cliEnv(this.endpoint(), this.env())) };
  }

  async engine(): Promise<EngineInfo> {
    const endpoint = this.endpoint();
    return readEngineInfo(this.api(endpoint), endpoint);
  }

  /** The engine and CLI as the UI shows them; a missing CLI is reported beside a working engine. */
  async describe(): Promise<DockerEngine> {
    const endpoint = this.endpoint();
    const engine = await readEngineInfo(this.api(endpoint), endpoint);
    let cli: DockerCli | null = null;
    let cliError: ApiErrorData | null = null;
    try {
      cli = await this.cli();
    } catch (err) {
      if (!(err instanceof WalkstreamError)) throw err;
      cliError = err.toJSON();
    }
    return {
      ...engine,
      source: endpoint.source,
      cliPath: cli?.path ?? null,
      composeVersion: cli?.composeVersion ?? null,
      cliError,
    };
  }

  private env(): NodeJS.ProcessEnv {
    return this.opts.env ?? process.env;
  }
}
