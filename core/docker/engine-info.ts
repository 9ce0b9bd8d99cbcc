/**
 * What the engine is: which product runs it (the advice for "not enough memory" depends on it)
 * and how much memory it has. On Docker Desktop, colima, OrbStack, Rancher Desktop and Podman
 * machines that is the VM's memory, not the host's.
 */
import type Dockerode from 'dockerode';
import { WalkstreamError } from '../contract/errors';
import { type DockerEndpoint, describeEndpoint } from './docker-endpoint';

export interface EngineInfo {
  /** Docker Desktop, colima, OrbStack, Rancher Desktop, Podman, Docker Engine (rootless) or Docker Engine. */
  name: string;
  serverVersion: string;
  memTotalBytes: number;
  contextName: string | null;
  host: string;
}

/** The fields of `docker info` this module reads. */
export interface InfoFields {
  Name?: string;
  OperatingSystem?: string;
  MemTotal?: number;
  ServerVersion?: string;
  SecurityOptions?: string[];
}

/** The fields of `docker version` this module reads. */
export interface VersionFields {
  Version?: string;
  Platform?: { Name?: string };
  Components?: { Name?: string }[];
}

export async function readEngineInfo(docker: Dockerode, endpoint: DockerEndpoint): Promise<EngineInfo> {
  let info: InfoFields;
  let version: VersionFields;
  try {
    [info, version] = await Promise.all([docker.info() as Promise<InfoFields>, docker.version()]);
  } catch (err) {
    throw engineUnreachable(err as NodeJS.ErrnoException, endpoint);
  }
  return {
    name: engineName(info, version, endpoint.contextName),
    serverVersion: info.ServerVersion || version.Version || 'unknown',
    memTotalBytes: info.MemTotal ?? 0,
    contextName: endpoint.contextName ?? null,
    host: endpoint.host,
  };
}

export function engineName(info: InfoFields, version: VersionFields, contextName?: string): string {
  const os = info.OperatingSystem ?? '';
  const vm = (info.Name ?? '').toLowerCase();
  const context = (contextName ?? '').toLowerCase();
  if (version.Components?.some((c) => /podman/i.test(c.Name ?? ''))) return 'Podman';
  if (os === 'Docker Desktop' || /docker desktop/i.test(version.Platform?.Name ?? ''))
    return 'Docker Desktop';
  if (/orbstack/i.test(os) || context === 'orbstack') return 'OrbStack';
  if (/rancher/i.test(os) || vm.includes('rancher-desktop') || context === 'rancher-desktop') {
    return 'Rancher Desktop';
  }
  if (vm.startsWith('colima') || context.startsWith('colima')) return 'colima';
  if (info.SecurityOptions?.some((o) => o.includes('name=rootless'))) return 'Docker Engine (rootless)';
  return 'Docker Engine';
}

/** A failed call to the engine, in words that say where Walkstream looked and what to do. */
export function engineUnreachable(err: NodeJS.ErrnoException, endpoint: DockerEndpoint): WalkstreamError {
  const where = describeEndpoint(endpoint);
  const details = { host: endpoint.host, context: endpoint.contextName ?? null, source: endpoint.source };
  const otherContext =
    endpoint.contextName && endpoint.contextName !== 'default'
      ? ' If that context is not the engine you use, switch with `docker context use <name>` (`docker context ls` lists them).'
      : '';
  if (err.code === 'EACCES') {
    return new WalkstreamError(
      'DOCKER_PERMISSION',
      `Docker is running but this user may not use it (permission denied on ${where}). Add yourself to the "docker" group (then log in again), or use Docker Desktop.`,
      { details },
    );
  }
  if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
    return new WalkstreamError(
      'DOCKER_NOT_RUNNING',
      `Docker is not running: nothing answers at ${where}. Start Docker Desktop (or colima, OrbStack, Rancher Desktop), or the Docker service (\`sudo systemctl start docker\`), and try again. If Docker is not installed, install it first.${otherContext}`,
      { retriable: true, details },
    );
  }
  return new WalkstreamError(
    'DOCKER_UNAVAILABLE',
    `Docker does not answer at ${where}: ${err.message}. Check that Docker is running.${otherContext}`,
    { retriable: true, details },
  );
}
