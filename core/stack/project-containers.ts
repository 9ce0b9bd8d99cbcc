import type Dockerode from 'dockerode';
import { SERVICE_NAMES, type ServiceInfo, type ServiceName } from '../contract/data';
import { WalkstreamError } from '../contract/errors';
import { demuxDockerLogs, notAvailable, toServiceInfo } from './container-mapping';

/**
 * The containers of one Compose project, found by its label, seen and controlled one at a time
 * through dockerode. The Compose CLI does the lifecycle; this is what the service cards and the
 * chaos faults need.
 */
export class ProjectContainers {
  constructor(
    /** Looked up per use: the engine may change while the app runs. */
    private readonly docker: () => Dockerode,
    private readonly project: string,
  ) {}

  list(): Promise<Dockerode.ContainerInfo[]> {
    return this.docker().listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${this.project}`] },
    });
  }

  /** Every service of the stack, from a `list()`: one that has no container is not available. */
  async describe(list: Dockerode.ContainerInfo[]): Promise<ServiceInfo[]> {
    const docker = this.docker();
    const details = await Promise.all(
      list.map((c) =>
        docker
          .getContainer(c.Id)
          .inspect()
          .catch(() => null),
      ),
    );
    return SERVICE_NAMES.map((service) => {
      const i = list.findIndex((c) => c.Labels['com.docker.compose.service'] === service);
      const d = i >= 0 ? details[i] : null;
      return d ? toServiceInfo(service, d) : notAvailable(service);
    });
  }

  async restart(service: ServiceName): Promise<void> {
    await (await this.find(service)).restart({ t: 10 });
  }

  async stop(service: ServiceName): Promise<void> {
    await (await this.find(service)).stop({ t: 10 }).catch(ignoreNotModified);
  }

  async start(service: ServiceName): Promise<void> {
    await (await this.find(service)).start().catch(ignoreNotModified);
  }

  /** SIGKILL, no shutdown: a crash. Docker counts it as a manual stop, so no restart policy fires. */
  async kill(service: ServiceName): Promise<void> {
    await (await this.find(service)).kill({ signal: 'SIGKILL' });
  }

  async pause(service: ServiceName): Promise<void> {
    await (await this.find(service)).pause();
  }

  async unpause(service: ServiceName): Promise<void> {
    const container = await this.find(service);
    // Unpausing a running container is an error in Docker; here it is simply nothing to do.
    if ((await container.inspect()).State.Paused) await container.unpause();
  }

  async logs(service: ServiceName, lines: number): Promise<{ service: string; lines: string[] }> {
    const raw = (await (
      await this.find(service)
    ).logs({ stdout: true, stderr: true, tail: lines, follow: false })) as Buffer;
    return {
      service,
      lines: demuxDockerLogs(raw)
        .split('\n')
        .filter((l) => l.length > 0)
        .slice(-lines),
    };
  }

  private async find(service: ServiceName): Promise<Dockerode.Container> {
    const found = (await this.list()).find((c) => c.Labels['com.docker.compose.service'] === service);
    if (!found) {
      throw new WalkstreamError(
        'SERVICE_NOT_RUNNING',
        `The service "${service}" is not part of the running stack. Start the pipeline first.`,
      );
    }
    return this.docker().getContainer(found.Id);
  }
}

/** Stopping a stopped container, or starting a running one, is already done. */
function ignoreNotModified(err: { statusCode?: number }): void {
  if (err.statusCode !== 304) throw err;
}
