import type Dockerode from 'dockerode';
import type {
  ApiErrorData,
  ContainerState,
  Health,
  PipelineState,
  ServiceInfo,
  ServiceName,
} from '../contract/data';

/**
 * What Docker says about a container, as the contract's plain data: dockerode objects stay in the
 * main process, the UI gets ServiceInfo and one PipelineState for the whole stack.
 */

export function notAvailable(service: ServiceName): ServiceInfo {
  return {
    service,
    state: 'not-available',
    health: 'none',
    containerId: null,
    startedAt: null,
    restartCount: 0,
    ports: [],
    image: null,
    exitCode: null,
    oomKilled: false,
  };
}

export function toServiceInfo(service: ServiceName, d: Dockerode.ContainerInspectInfo): ServiceInfo {
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
    // A created container has never exited: its 0 is no exit code.
    exitCode: d.State.Running || d.State.Status === 'created' ? null : d.State.ExitCode,
    oomKilled: d.State.OOMKilled ?? false,
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
