/** Memory (and CPU) of each container of the Compose project, from `docker stats --no-stream`. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ServiceUsage {
  service: string;
  memMiB: number;
  /** The container's memory limit (compose mem_limit). */
  limitMiB: number;
  cpuPercent: number;
}

const UNITS: Record<string, number> = {
  B: 1 / 2 ** 20,
  KiB: 1 / 1024,
  kB: 1000 / 2 ** 20,
  MiB: 1,
  MB: 1e6 / 2 ** 20,
  GiB: 1024,
  GB: 1e9 / 2 ** 20,
};

function toMiB(s: string): number {
  const m = /^([\d.]+)\s*([A-Za-z]+)$/.exec(s.trim());
  if (!m) return Number.NaN;
  return Number(m[1]) * (UNITS[m[2] as string] ?? Number.NaN);
}

export async function sampleFootprint(docker: string, project: string): Promise<ServiceUsage[]> {
  const { stdout: ps } = await run(docker, [
    'ps',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--format',
    '{{.Names}}\t{{.Label "com.docker.compose.service"}}',
  ]);
  const services = new Map(
    ps
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t') as [string, string]),
  );
  if (services.size === 0) return [];
  const { stdout } = await run(docker, [
    'stats',
    '--no-stream',
    '--format',
    '{{json .}}',
    ...services.keys(),
  ]);
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { Name: string; MemUsage: string; CPUPerc: string })
    .map((s) => {
      const [used = '', limit = ''] = s.MemUsage.split('/');
      return {
        service: services.get(s.Name) ?? s.Name,
        memMiB: toMiB(used),
        limitMiB: toMiB(limit),
        cpuPercent: Number.parseFloat(s.CPUPerc),
      };
    })
    .sort((a, b) => a.service.localeCompare(b.service));
}
