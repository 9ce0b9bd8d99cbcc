/** The "where the CPU goes" part of docs/BENCHMARKS.md: CPU per point stored by stage, and the ceiling. */
import type { BenchResults } from './bench-results';
import { maxSustainable } from './bench-results';
import { type CpuPerPoint, marginalCeiling } from './cpu-usage';
import type { RateRun } from './e2e-rate';
import { fmt } from './stats';

const us = (v: number) => (Number.isFinite(v) ? `${fmt(v, v < 10 ? 1 : 0)} µs` : '–');

/** The runs the CPU table shows: 10,000 points/s and the highest sustainable rate (once if the same). */
export function cpuRuns(
  r: BenchResults,
): { label: string; run: RateRun & { cpu: NonNullable<RateRun['cpu']> } }[] {
  const best = maxSustainable(r.sweep);
  const at10k = r.sweep.find((s) => s.rate === 10_000);
  const picks: { label: string; run?: RateRun }[] = [
    { label: '10,000 points/s', run: at10k },
    { label: `highest sustainable, ${best ? fmt(best.rate) : '–'} points/s`, run: best },
  ];
  return picks
    .filter((p, i) => p.run?.cpu && (i === 0 || p.run !== at10k))
    .map((p) => ({ label: p.label, run: p.run as RateRun & { cpu: NonNullable<RateRun['cpu']> } }));
}

/**
 * The marginal cost over every rate whose CPU was measured, the one that fell behind included: its
 * cores and points stored are as real as the others', only not the asked rate.
 */
function marginal(r: BenchResults) {
  const runs = r.sweep.filter((s) => s.cpu).map((s) => s.cpu as CpuPerPoint);
  return { rates: runs.length, ...marginalCeiling(runs, r.machine.cpus) };
}

/** One summary line: the ceiling at the highest sustainable rate (else at 10,000 points/s). */
export function cpuSummary(r: BenchResults): string | undefined {
  const pick = cpuRuns(r).at(-1);
  if (!pick) return undefined;
  const c = pick.run.cpu;
  const m = marginal(r);
  return (
    `CPU per point stored at ${fmt(pick.run.rate)} points/s: ${us(c.totalMicrosPerPoint)} over all stages → ` +
    `this machine's ceiling ≈ ${fmt(c.ceilingPointsPerSecond)} points/s (${c.machineCores} cores ÷ CPU seconds per point)` +
    (Number.isFinite(m.ceilingPointsPerSecond)
      ? `; from the marginal cost over ${m.rates} rates (${us(m.microsPerPoint)} per point above ${fmt(m.fixedCores, 2)} cores idle) ≈ ${fmt(m.ceilingPointsPerSecond)} points/s`
      : '')
  );
}

export function cpuSection(r: BenchResults): string[] {
  const runs = cpuRuns(r);
  if (runs.length === 0) return ['Not measured.'];
  const stages = [...new Set(runs.flatMap(({ run }) => run.cpu.stages.map((s) => s.stage)))].sort((a, b) =>
    // The producer first, then the containers in pipeline order.
    order(a) === order(b) ? a.localeCompare(b) : order(a) - order(b),
  );
  const cells = (run: (typeof runs)[number]['run'], stage: string) => {
    const s = run.cpu.stages.find((x) => x.stage === stage);
    return s ? [us(s.microsPerPoint), fmt(s.cores, 2)] : ['–', '–'];
  };
  const row = (first: string, rest: string[]) => `| ${[first, ...rest].join(' | ')} |`;
  return [
    row(
      'stage',
      runs.flatMap((p) => [`${p.label}: CPU per point`, 'cores busy']),
    ),
    `|---|${runs.map(() => '---:|---:').join('|')}|`,
    ...stages.map((stage) =>
      row(
        stage,
        runs.flatMap((p) => cells(p.run, stage)),
      ),
    ),
    row(
      '**total**',
      runs.flatMap(({ run }) => [
        `**${us(run.cpu.totalMicrosPerPoint)}**`,
        fmt(
          run.cpu.stages.reduce((t, s) => t + s.cores, 0),
          2,
        ),
      ]),
    ),
    row(
      `**ceiling** = ${runs[0]?.run.cpu.machineCores} cores ÷ CPU seconds per point`,
      runs.flatMap(({ run }) => [`**${fmt(run.cpu.ceilingPointsPerSecond)} points/s**`, '']),
    ),
    '',
    ...marginalLines(r),
    'Method: cumulative CPU time of each stage read at the start of the rate’s window and again when its last point was queryable, ' +
      `divided by the points counted in InfluxDB. Containers: their cgroup’s CPU counter (${runs[0]?.run.cpu.source}); ` +
      'the producer: `process.cpuUsage()` of the bench process, which also runs the latency poller and the lag ' +
      'probe (so its share is an upper bound). Idle work of each service over the window (Kafka’s replication fetches, InfluxDB’s ' +
      'background tasks) is included: it is part of what a point costs at that rate, and weighs more per point at low rates. ' +
      'The ceiling assumes the cost per point stays the same up to full use of every core: it is an estimate of what this machine ' +
      'could carry, not a measured rate.',
  ];
}

function order(stage: string): number {
  if (stage.startsWith('producer')) return 0;
  if (stage.startsWith('kafka')) return 1;
  if (stage === 'telegraf') return 2;
  if (stage === 'influxdb') return 3;
  return 4;
}

function marginalLines(r: BenchResults): string[] {
  const m = marginal(r);
  if (!Number.isFinite(m.ceilingPointsPerSecond)) return [];
  return [
    `Marginal cost: a least-squares line through the total cores busy against the points stored per second at the ${m.rates} rates measured gives ` +
      `${fmt(m.fixedCores, 2)} cores busy at no load and ${us(m.microsPerPoint)} per point on top, so the ceiling from the cost of one more ` +
      `point is (${r.machine.cpus} − ${fmt(m.fixedCores, 2)}) cores ÷ that ≈ **${fmt(m.ceilingPointsPerSecond)} points/s** — an extrapolation, ` +
      'like the ceiling above; the average cost at a low rate is mostly what the services burn idle.',
    '',
  ];
}
