/**
 * Where the CPU goes: cumulative CPU time of each stage (this bench process, which runs the
 * producer, and each container of the stack), read before and after a window, turned into CPU time
 * per point stored and the rate this machine's cores could carry at that cost.
 * Containers: their cgroup's CPU counter, read on the host when the engine runs here (instantaneous;
 * cgroup v1 cpuacct.usage or v2 cpu.stat usage_usec); otherwise the Docker stats API's
 * cpu_stats.cpu_usage.total_usage, the same counter but sampled by the engine once a second.
 * `docker stats` percentages are averaged over its own interval and too coarse for a 15 s window.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import Dockerode from 'dockerode';
import { mean, slope } from './stats';

/** The bench process: the producer library runs inside it, with the latency poller and lag probe. */
export const BENCH_STAGE = 'producer (bench process)';

export interface CpuSnapshot {
  /** Epoch ms when the counters were read. */
  atMs: number;
  /** Cumulative CPU seconds by stage. */
  seconds: Record<string, number>;
  /** Where the containers' counters came from: a cgroup file on the host, or the Docker stats API. */
  source: string;
}

/** Where a container's cgroup CPU counter is on the host, for cgroup v1 and v2, cgroupfs and systemd drivers. */
export function cgroupCpuFiles(id: string): string[] {
  return [
    `/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`,
    `/sys/fs/cgroup/cpu,cpuacct/docker/${id}/cpuacct.usage`,
    `/sys/fs/cgroup/cpu,cpuacct/system.slice/docker-${id}.scope/cpuacct.usage`,
    `/sys/fs/cgroup/docker/${id}/cpu.stat`,
    `/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`,
  ];
}

/** CPU seconds in a cgroup counter file: cpuacct.usage holds ns, cpu.stat a `usage_usec` line. */
export function parseCgroupCpu(file: string, content: string): number {
  if (file.endsWith('cpuacct.usage')) return Number(content.trim()) / 1e9;
  const m = /^usage_usec (\d+)$/m.exec(content);
  return m ? Number(m[1]) / 1e6 : Number.NaN;
}

export interface StageCpu {
  stage: string;
  cpuSeconds: number;
  /** Mean cores the stage kept busy over the window. */
  cores: number;
  microsPerPoint: number;
}

export interface CpuPerPoint {
  /** Where the containers' counters came from. */
  source: string;
  points: number;
  wallSeconds: number;
  stages: StageCpu[];
  totalMicrosPerPoint: number;
  /** Cores of this machine; the ceiling = cores ÷ CPU seconds per point. */
  machineCores: number;
  ceilingPointsPerSecond: number;
}

/** The arithmetic: CPU used by each stage between two snapshots, per point stored in between. */
export function cpuPerPoint(
  before: CpuSnapshot,
  after: CpuSnapshot,
  points: number,
  machineCores: number,
): CpuPerPoint {
  const wallSeconds = (after.atMs - before.atMs) / 1000;
  const stages = Object.keys(after.seconds)
    .filter((stage) => stage in before.seconds)
    .map((stage) => {
      const cpuSeconds = (after.seconds[stage] as number) - (before.seconds[stage] as number);
      return {
        stage,
        cpuSeconds,
        cores: cpuSeconds / wallSeconds,
        microsPerPoint: points > 0 ? (cpuSeconds / points) * 1e6 : Number.NaN,
      };
    });
  const totalMicrosPerPoint = stages.reduce((t, s) => t + s.microsPerPoint, 0);
  return {
    source: after.source,
    points,
    wallSeconds,
    stages,
    totalMicrosPerPoint,
    machineCores,
    ceilingPointsPerSecond: machineCores / (totalMicrosPerPoint / 1e6),
  };
}

/**
 * The ceiling from the cost of one more point rather than the average one: a least-squares line
 * cores busy = fixed + cost × points/s through the rates measured. At low rates the average is
 * dominated by what the services burn idle (Kafka's replication fetches, InfluxDB's housekeeping);
 * the fixed part is paid once, so the ceiling is (cores − fixed) ÷ cost. NaN with fewer than two
 * distinct rates or a cost that is not positive.
 */
export function marginalCeiling(
  runs: readonly CpuPerPoint[],
  machineCores: number,
): { fixedCores: number; microsPerPoint: number; ceilingPointsPerSecond: number } {
  const xs = runs.map((r) => r.points / r.wallSeconds);
  const ys = runs.map((r) => r.stages.reduce((t, s) => t + s.cores, 0));
  const cost = new Set(xs).size >= 2 ? slope(xs, ys) : Number.NaN;
  const fixedCores = mean(ys) - cost * mean(xs);
  return {
    fixedCores,
    microsPerPoint: cost * 1e6,
    ceilingPointsPerSecond: cost > 0 ? (machineCores - fixedCores) / cost : Number.NaN,
  };
}

export interface CpuMeter {
  snapshot(): Promise<CpuSnapshot>;
}

async function readCgroupCpu(id: string): Promise<{ seconds: number; file: string } | undefined> {
  for (const file of cgroupCpuFiles(id)) {
    const content = await readFile(file, 'utf8').catch(() => undefined);
    if (content !== undefined) return { seconds: parseCgroupCpu(file, content), file };
  }
  return undefined;
}

/** Reads the bench process and every running container of the Compose project. */
const CLK_TCK = 100; // `getconf CLK_TCK` on Linux

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  // Fields after the command name (which may contain spaces): utime and stime are the 14th and 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * The project's containers and this process; `processes` adds other local processes as stages of
 * their own (e.g. the app core: stage name → pid).
 */
export function createCpuMeter(
  project: string,
  docker = new Dockerode(),
  processes: Record<string, number> = {},
): CpuMeter {
  return {
    async snapshot() {
      const containers = await docker.listContainers({
        filters: { label: [`com.docker.compose.project=${project}`] },
      });
      const atMs = Date.now();
      const own = process.cpuUsage();
      const sources = new Set<string>();
      const stats = await Promise.all(
        containers.map(async (c) => {
          const service = c.Labels['com.docker.compose.service'] ?? c.Names[0] ?? c.Id;
          const local = await readCgroupCpu(c.Id);
          if (local) {
            sources.add(local.file.replace(c.Id, '<id>'));
            return [service, local.seconds] as const;
          }
          const s = await docker.getContainer(c.Id).stats({ stream: false, 'one-shot': true });
          sources.add('Docker stats API cpu_stats.cpu_usage.total_usage (sampled once a second)');
          return [service, s.cpu_stats.cpu_usage.total_usage / 1e9] as const;
        }),
      );
      return {
        atMs,
        seconds: {
          [BENCH_STAGE]: (own.user + own.system) / 1e6,
          ...Object.fromEntries(stats),
          ...Object.fromEntries(
            Object.entries(processes).map(([stage, pid]) => [stage, processCpuSeconds(pid)]),
          ),
        },
        source: [...sources].join(', '),
      };
    },
  };
}
