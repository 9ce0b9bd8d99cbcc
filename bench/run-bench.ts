/**
 * npm run bench — every performance figure of issue 7 in one run on this machine, printed and
 * written to docs/BENCHMARKS.md with a plot in docs/bench-throughput-latency.png.
 * Runs inside tests/stack/with-stack.sh (the real stack on local images, torn down afterwards).
 *   BENCH_SECONDS=30       seconds per measurement (producer, perf test, InfluxDB, each rate)
 *   BENCH_APP_MINUTES=10   the app bench
 *   BENCH_RATES=1000,...   the end-to-end sweep (stops at the first rate not sustainable)
 *   BENCH_WALKS=100        walks of the producer in the producer and end-to-end benches
 *   BENCH_OUT=path.md      where the report goes (the plot beside it); default docs/BENCHMARKS.md
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { MAX_POINTS_PER_SECOND } from '@walkstream/producer';
import { compose, createTestCore, flux, repoDir, stackEnv } from '../tests/stack/stack-env';
import { runAppBench, startServer, stopServer } from './lib/app-bench';
import { DEFAULT_RATES, renderReport, summaryLines } from './lib/bench-report';
import type { BenchResults, ProducerComparison } from './lib/bench-results';
import { GOALS } from './lib/bench-results';
import { benchTopicName, deleteBenchTopics } from './lib/bench-topic';
import { createLagProbe, type LagProbe, waitForDrain } from './lib/consumer-lag';
import { type CpuMeter, type CpuPerPoint, createCpuMeter } from './lib/cpu-usage';
import { type RateRun, type RateRunOptions, runAtRate } from './lib/e2e-rate';
import { sampleFootprint } from './lib/footprint';
import { measureInfluxCapacity } from './lib/influx-capacity';
import { LEVER_RATE, LEVERS } from './lib/levers';
import { runPerfTest } from './lib/perf-test';
import { renderPng, throughputLatencySvg } from './lib/plot';
import { measureProducerThroughput } from './lib/producer-throughput';
import { measureStart } from './lib/start-time';
import { envNumber, fmt } from './lib/stats';

const run = promisify(execFile);

/** BENCH_SECTIONS=name,name: run only these sections (for working on one); the report says so. */
const onlySections = process.env.BENCH_SECTIONS?.split(',').map((x) => x.trim());

const config = {
  seconds: envNumber('BENCH_SECONDS', 30),
  appMinutes: envNumber('BENCH_APP_MINUTES', 10),
  rates: process.env.BENCH_RATES ? process.env.BENCH_RATES.split(',').map(Number) : DEFAULT_RATES,
  walks: envNumber('BENCH_WALKS', 100),
  pollMs: 100,
  lagSampleMs: 100,
  drainSeconds: 10,
  maxLagSlopeFraction: 0.01,
  drainBeforeSeconds: 300,
};
const reportPath = resolve(process.env.BENCH_OUT || `${repoDir}docs/BENCHMARKS.md`);
const plotPath = `${dirname(reportPath)}/bench-throughput-latency.png`;

const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function output(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(cmd, args);
    return (stdout || stderr).trim().split('\n')[0] ?? '';
  } catch {
    return 'unknown';
  }
}

async function machine(): Promise<BenchResults['machine']> {
  const { stdout: images } = await run(stackEnv.docker, [
    'ps',
    '--filter',
    `label=com.docker.compose.project=${stackEnv.project}`,
    '--format',
    '{{.Image}}',
  ]).catch(() => ({ stdout: '' }));
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    ramGiB: totalmem() / 2 ** 30,
    kernel: release(),
    node: process.versions.node,
    docker: await output(stackEnv.docker, ['version', '--format', '{{.Server.Version}}']),
    java: await output('java', ['-version']),
    images: [...new Set(images.trim().split('\n').filter(Boolean))].sort(),
  };
}

/**
 * Runs one section from a drained pipeline (a backlog the previous one left would slow this one
 * down and be counted against it); a failure is recorded and the run goes on with the next. The
 * report is rewritten after every section, so figures already measured survive a later crash.
 */
async function section(
  results: BenchResults,
  lag: LagProbe | undefined,
  name: string,
  body: () => Promise<void>,
): Promise<void> {
  if (onlySections && !onlySections.includes(name)) return;
  log(`${name}…`);
  try {
    if (lag) {
      const d = await waitForDrain(lag, config.drainBeforeSeconds * 1000);
      results.drains.push({ section: name, ...d });
      log(
        `  pipeline drained: waited ${fmt(d.waitedMs / 1000, 1)} s (lag ${fmt(d.lagAtStart)} messages at start)`,
      );
    }
    await body();
  } catch (err) {
    results.errors[name] = (err as Error).message;
    log(`${name} FAILED: ${(err as Error).stack ?? err}`);
  }
  writeFileSync(reportPath, renderReport(results));
}

/** The pipeline's own p99 at a light load: the warm-up's, or the sweep's first rate's if lower. */
let baselineLatencyMs: number | undefined;

/**
 * Runs `body` with Telegraf recreated on this telegraf.conf (mounted through a Compose override),
 * then recreates it on the stack's own file and removes the edited one; no conf: just `body`.
 */
async function withTelegrafConf<T>(conf: string | undefined, body: () => Promise<T>): Promise<T> {
  if (conf === undefined) return body();
  const dir = mkdtempSync(join(tmpdir(), 'walkstream-lever-'));
  try {
    // Readable by the container's telegraf user.
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'telegraf.conf'), conf, { mode: 0o644 });
    const override = join(dir, 'compose.lever.yaml');
    writeFileSync(
      override,
      `services:\n  telegraf:\n    volumes:\n      - ${JSON.stringify(`${join(dir, 'telegraf.conf')}:/etc/telegraf/telegraf.conf:ro`)}\n`,
    );
    await compose('-f', override, 'up', '-d', '--wait', '--no-deps', 'telegraf');
    return await body();
  } finally {
    await compose('up', '-d', '--wait', '--no-deps', 'telegraf');
    // Only now: the container bind-mounted the file until it was recreated.
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One measured rate of the end-to-end sweep, with the run's knobs. */
function sweepRun(lag: LagProbe, cpu: RateRunOptions['cpu'], rate: number): RateRunOptions {
  return {
    brokers: stackEnv.brokers,
    bucket: stackEnv.influxBucket,
    flux,
    lag,
    cpu,
    rate,
    walks: config.walks,
    seconds: config.seconds,
    pollMs: config.pollMs,
    lagSampleMs: config.lagSampleMs,
    drainSeconds: config.drainSeconds,
    drainBeforeSeconds: config.drainBeforeSeconds,
    maxLagSlopeFraction: config.maxLagSlopeFraction,
    baselineLatencyMs,
  };
}

const us = (v: number) => `${fmt(v, v < 10 ? 1 : 0)} µs`;

function cpuLine(c: CpuPerPoint): string {
  return (
    `    CPU per point stored: ${c.stages.map((s) => `${s.stage} ${us(s.microsPerPoint)}`).join(', ')}; ` +
    `total ${us(c.totalMicrosPerPoint)} → ceiling ${fmt(c.ceilingPointsPerSecond)} points/s on ${c.machineCores} cores`
  );
}

function rateLine(r: RateRun): string {
  const t = r.lagTrend;
  return (
    `  ${fmt(r.rate)}/s: stored ${fmt(r.storedPerSecond)}/s (delivered to Kafka ${fmt(r.deliveredPerSecond)}/s), ` +
    `counted ${fmt(r.counted)}/${fmt(r.generated)}, p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms ` +
    `(producer lag max ${fmt(r.producerLagMaxMs)} ms, ${fmt(r.ticksSkipped)} ticks skipped), ` +
    `backlog trend ${fmt(t.pointsPerSecond)} ± ${fmt(2 * t.stdErrPointsPerSecond)} points/s (limit ${fmt(r.lagSlopeLimit)}, ` +
    `${t.samples} lag samples in ${t.bins} s worth ${fmt(t.independentBins, 1)} independent ones, ${fmt(t.pointsPerMessage, 1)} points/message), drain ${fmt(r.drainMs)} ms, ` +
    `waited ${fmt(r.drainWaitMs / 1000, 1)} s for a drained pipeline first; ` +
    (r.sustainable ? 'sustainable' : `NOT sustainable (${r.reasons.join('; ')})`) +
    (r.stampMismatches
      ? `; ${fmt(r.stampMismatches)} STAMP MISMATCHES (latency not from the stored time)`
      : '')
  );
}

async function producerSection(results: BenchResults): Promise<void> {
  const topic = benchTopicName('producer');
  try {
    const compare = async (maxPointsPerMessage: number): Promise<ProducerComparison> => {
      const ours = await measureProducerThroughput({
        brokers: stackEnv.brokers,
        topic,
        walks: config.walks,
        seconds: config.seconds,
        maxPointsPerMessage,
      });
      log(
        `  ours (≤ ${maxPointsPerMessage} points/message): ${fmt(ours.pointsPerSecond)} points/s, ` +
          `${fmt(ours.avgPointsPerMessage, 1)} points/message, ${fmt(ours.avgValueBytes)} B/message`,
      );
      const perfTest = await runPerfTest({
        brokers: stackEnv.brokers,
        topic,
        recordSize: Math.max(1, Math.round(ours.avgValueBytes)),
        keyRange: config.walks,
        seconds: config.seconds,
      });
      const perfTestPointsPerSecond = perfTest.recordsPerSecond * ours.avgPointsPerMessage;
      log(
        `  kafka-producer-perf-test, ${perfTest.recordSize} B records: ${fmt(perfTest.recordsPerSecond)} records/s`,
      );
      return {
        ours,
        perfTest,
        perfTestPointsPerSecond,
        ratio: ours.pointsPerSecond / perfTestPointsPerSecond,
      };
    };
    const coalesced = await compare(100);
    const single = await compare(1);
    results.producer = { coalesced, single };
  } finally {
    await deleteBenchTopics(stackEnv.brokers, [topic]);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    machine: await machine(),
    config,
    drains: [],
    sweep: [],
    footprint: {},
    starts: [],
    errors: {},
  };
  log(`config ${JSON.stringify(config)}; report to ${reportPath}`);
  mkdirSync(dirname(reportPath), { recursive: true });
  const lag = await createLagProbe(stackEnv.brokers);
  const cpu = { meter: createCpuMeter(stackEnv.project), machineCores: results.machine.cpus };

  await section(results, lag, 'producer vs kafka-producer-perf-test', () => producerSection(results));

  await section(results, lag, 'InfluxDB write capacity', async () => {
    results.influx = await measureInfluxCapacity({
      url: stackEnv.influxUrl,
      token: stackEnv.influxToken,
      org: stackEnv.influxOrg,
      seconds: config.seconds,
      countPoints: async (bucket) => {
        const rows = await flux<{ _value: number }>(`from(bucket: "${bucket}")
  |> range(start: 2000-01-01T00:00:00Z, stop: 2100-01-01T00:00:00Z)
  |> filter(fn: (r) => r._field == "seq")
  |> group()
  |> count()`);
        return rows[0]?._value ?? 0;
      },
    });
    log(`  ${fmt(results.influx.pointsPerSecond)} points/s (${fmt(results.influx.counted)} counted)`);
  });

  await section(results, lag, 'end-to-end sweep', async () => {
    // Warm-up, not recorded: Telegraf's consumer group joins and the first shards are created.
    const warm = await runAtRate({
      brokers: stackEnv.brokers,
      bucket: stackEnv.influxBucket,
      flux,
      lag,
      rate: 1_000,
      walks: config.walks,
      seconds: 5,
      drainSeconds: 60,
    });
    if (Number.isFinite(warm.p99Ms)) baselineLatencyMs = warm.p99Ms;
    log(
      `  warm-up at 1,000/s: p99 ${fmt(warm.p99Ms)} ms, ${warm.countExact ? 'all points counted' : 'count mismatch'}`,
    );
    // Default sweep: past its last rate, keep stepping up (×1.5) until a rate is not sustainable.
    const rates = [...config.rates];
    for (let i = 0; i < rates.length; i++) {
      const rate = rates[i] as number;
      const r = await runAtRate({
        ...sweepRun(lag, cpu, rate),
        midRun: async () => {
          results.footprint.underLoad = {
            rate,
            usage: await sampleFootprint(stackEnv.docker, stackEnv.project),
          };
        },
      });
      results.sweep.push(r);
      log(rateLine(r));
      if (i === 0 && Number.isFinite(r.p99Ms))
        baselineLatencyMs = Math.min(baselineLatencyMs ?? r.p99Ms, r.p99Ms);
      if (r.cpu) log(cpuLine(r.cpu));
      if (!r.sustainable) break;
      if (i === rates.length - 1 && !process.env.BENCH_RATES && rate < MAX_POINTS_PER_SECOND) {
        rates.push(Math.min(MAX_POINTS_PER_SECOND, Math.round((rate * 1.5) / 10_000) * 10_000));
      }
    }
  });

  await section(results, lag, 'app cost', async () => {
    // 10,000 points/s without the app, with its core running (the flow strip polls Kafka, Telegraf
    // and InfluxDB whether or not a window shows it), and without it again, each from a drained
    // pipeline: the runs without it on both sides bracket whatever drifts over the section.
    const rate = 10_000;
    const at = (meter: CpuMeter) => runAtRate(sweepRun(lag, { meter, machineCores: cpu.machineCores }, rate));
    const before = await at(cpu.meter);
    log(`  without the app: ${rateLine(before)}`);
    if (before.cpu) log(cpuLine(before.cpu));
    const server = await startServer(repoDir);
    const appStage = 'app core';
    let withApp: RateRun;
    try {
      withApp = await at(
        createCpuMeter(stackEnv.project, undefined, { [appStage]: server.child.pid as number }),
      );
      log(`  with the app: ${rateLine(withApp)}`);
      if (withApp.cpu) log(cpuLine(withApp.cpu));
    } finally {
      await stopServer(server.child);
    }
    const after = await at(cpu.meter);
    log(`  without the app again: ${rateLine(after)}`);
    if (after.cpu) log(cpuLine(after.cpu));
    results.appCost = { rate, without: [before, after], with: withApp, appStage };
  });

  await section(results, lag, 'levers', async () => {
    const at = (rate: number, producer?: RateRunOptions['producer']) =>
      runAtRate({ ...sweepRun(lag, cpu, rate), producer });
    // Not recorded: when the section runs alone, the cluster's first minute is slower than the rest.
    await runAtRate({ ...sweepRun(lag, undefined, LEVER_RATE), seconds: 5 });
    const pairs: NonNullable<BenchResults['levers']>['pairs'] = [];
    results.levers = { pairs };
    const localConf = readFileSync(`${repoDir}stack/telegraf/telegraf.conf`, 'utf8');
    for (const lever of LEVERS) {
      const rate = lever.rate ?? LEVER_RATE;
      const entry: (typeof pairs)[number] = {
        name: lever.name,
        kept: lever.kept,
        without: lever.without,
        rate,
        stages: lever.stages ?? [],
      };
      pairs.push(entry);
      try {
        entry.keptRun = await at(rate);
        log(`  every setting kept: ${rateLine(entry.keptRun)}`);
        if (entry.keptRun.cpu) log(cpuLine(entry.keptRun.cpu));
        entry.run = await withTelegrafConf(lever.telegrafConf?.(localConf), () => at(rate, lever.producer));
        log(`  without ${lever.name} (${lever.without}): ${rateLine(entry.run)}`);
        if (entry.run.cpu) log(cpuLine(entry.run.cpu));
      } catch (err) {
        entry.error = (err as Error).message;
        log(`  without ${lever.name}: FAILED ${entry.error}`);
      }
    }
  });

  await section(results, lag, 'app bench', async () => {
    results.app = await runAppBench({
      repoDir,
      flux,
      bucket: stackEnv.influxBucket,
      minutes: config.appMinutes,
      midRun: async () => {
        results.footprint.appLoad = await sampleFootprint(stackEnv.docker, stackEnv.project);
      },
    });
  });

  // Last: it takes the bench stack down (with its volumes) to time a first start of each profile.
  await section(results, lag, 'start time', async () => {
    const { core, dispose } = createTestCore();
    try {
      for (const profile of ['full', 'lite'] as const) {
        const timing = await measureStart({
          core,
          docker: stackEnv.docker,
          project: stackEnv.project,
          profile,
          memorySampleAfterMs: profile === 'lite' ? 20_000 : undefined,
        });
        results.starts.push(timing);
        log(
          `  ${profile}: every service healthy after ${fmt(timing.allHealthyMs / 1000, 1)} s, first point after ${fmt(timing.firstPointMs / 1000, 1)} s`,
        );
      }
      // Back to the full profile, so the bench's teardown finds the stack it brought up.
      await core.router.call('stack:down', { removeVolumes: true });
      await core.router.call('settings:updateStack', { profile: 'full' });
    } finally {
      await dispose();
    }
  });

  results.finishedAt = new Date().toISOString();
  await lag.close();
  await section(results, undefined, 'plot', async () => {
    if (results.sweep.length === 0) throw new Error('no end-to-end results to plot');
    const html = throughputLatencySvg({
      title: `Walkstream end to end on ${results.machine.cpus} cores (${results.startedAt.slice(0, 10)})`,
      points: results.sweep.map((s) => ({
        rate: s.rate,
        stored: s.storedPerSecond,
        p50Ms: s.p50Ms,
        p99Ms: s.p99Ms,
        sustainable: s.sustainable,
      })),
      influxCapacity: results.influx?.pointsPerSecond,
      latencyGoalMs: GOALS.p99AtTenThousandMs,
    });
    await renderPng(html, plotPath);
  });
  log(`done in ${((Date.now() - started) / 60_000).toFixed(1)} min; wrote ${reportPath} and ${plotPath}`);
  console.log(`\n${summaryLines(results).join('\n')}`);
  if (Object.keys(results.errors).length) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
