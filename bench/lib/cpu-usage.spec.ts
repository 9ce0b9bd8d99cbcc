import { describe, expect, it } from 'vitest';
import { BENCH_STAGE, cgroupCpuFiles, cpuPerPoint, marginalCeiling, parseCgroupCpu } from './cpu-usage';

describe('cpuPerPoint', () => {
  const source = 'test';
  const before = { atMs: 1_000, source, seconds: { [BENCH_STAGE]: 10, 'kafka-1': 100, influxdb: 50 } };
  const after = {
    atMs: 21_000,
    source,
    seconds: { [BENCH_STAGE]: 14, 'kafka-1': 106, influxdb: 60, telegraf: 3 },
  };

  it('charges each stage the CPU it used in the window, per point stored', () => {
    const c = cpuPerPoint(before, after, 200_000, 2);
    expect(c.wallSeconds).toBe(20);
    expect(c.stages).toEqual([
      { stage: BENCH_STAGE, cpuSeconds: 4, cores: 0.2, microsPerPoint: 20 },
      { stage: 'kafka-1', cpuSeconds: 6, cores: 0.3, microsPerPoint: 30 },
      { stage: 'influxdb', cpuSeconds: 10, cores: 0.5, microsPerPoint: 50 },
    ]);
    expect(c.totalMicrosPerPoint).toBe(100);
  });

  it("puts this machine's ceiling at its cores ÷ the CPU seconds a point costs", () => {
    // 100 µs per point: one core carries 10,000 points/s, two cores 20,000.
    expect(cpuPerPoint(before, after, 200_000, 2).ceilingPointsPerSecond).toBeCloseTo(20_000, 6);
  });

  it('leaves out a stage that was not there at the start (a container that started mid-window)', () => {
    expect(cpuPerPoint(before, after, 1, 2).stages.map((s) => s.stage)).not.toContain('telegraf');
  });

  it('gives no cost per point when nothing was stored', () => {
    expect(cpuPerPoint(before, after, 0, 2).totalMicrosPerPoint).toBeNaN();
  });
});

describe('parseCgroupCpu', () => {
  it('reads cgroup v1 cpuacct.usage (ns) and cgroup v2 cpu.stat usage_usec (µs) as seconds', () => {
    const [v1, , , v2] = cgroupCpuFiles('abc');
    expect(v1).toBe('/sys/fs/cgroup/cpuacct/docker/abc/cpuacct.usage');
    expect(parseCgroupCpu(v1 as string, '2500000000\n')).toBe(2.5);
    expect(v2).toBe('/sys/fs/cgroup/docker/abc/cpu.stat');
    expect(parseCgroupCpu(v2 as string, 'usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n')).toBe(
      1.5,
    );
    expect(parseCgroupCpu(v2 as string, 'nr_periods 0\n')).toBeNaN();
  });
});

describe('marginalCeiling', () => {
  /** A run of `seconds` at `rate` points/s keeping `cores` busy in total. */
  const run = (rate: number, cores: number, seconds = 10) =>
    cpuPerPoint(
      { atMs: 0, source: 't', seconds: { all: 0 } },
      { atMs: seconds * 1000, source: 't', seconds: { all: cores * seconds } },
      rate * seconds,
      2,
    );

  it('separates what the services burn idle from what each more point costs', () => {
    // 0.9 cores idle + 25 µs per point: 1,000/s → 0.925, 10,000/s → 1.15 cores.
    const m = marginalCeiling([run(1_000, 0.925), run(10_000, 1.15)], 2);
    expect(m.fixedCores).toBeCloseTo(0.9, 9);
    expect(m.microsPerPoint).toBeCloseTo(25, 6);
    expect(m.ceilingPointsPerSecond).toBeCloseTo(44_000, 3);
    // The average cost at 10,000/s (115 µs) would put it at 17,391/s.
    expect(run(10_000, 1.15).ceilingPointsPerSecond).toBeCloseTo(17_391, 0);
  });

  it('is not estimated from a single rate', () => {
    expect(marginalCeiling([run(10_000, 1.15)], 2).ceilingPointsPerSecond).toBeNaN();
  });
});
