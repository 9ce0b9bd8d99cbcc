/** Renders docs/BENCHMARKS.md from one run's results: figures, goals, ratios, method, caveats. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { StripLatencyCheck } from './app-bench';
import {
  type BenchResults,
  GOALS,
  maxSustainable,
  type ProducerComparison,
  stripLatencyGaps,
} from './bench-results';
import { cpuRuns, cpuSection, cpuSummary } from './cpu-report';
import type { RateRun } from './e2e-rate';
import { fmt } from './stats';

/**
 * The end-to-end sweep's rates when BENCH_RATES is not set: steps of 10 000 around where this
 * machine's limit has been (a coarse step would under-report the highest sustainable rate).
 */
export const DEFAULT_RATES = [
  1_000, 10_000, 20_000, 40_000, 50_000, 60_000, 70_000, 80_000, 100_000, 150_000, 200_000,
];

const mark = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? '✅ pass' : '❌ miss');
/** Pass/miss of a measured figure; '–' when it could not be measured. */
const markIf = (value: number, ok: (v: number) => boolean) =>
  mark(Number.isFinite(value) ? ok(value) : undefined);
const ms = (v: number) => (Number.isFinite(v) ? `${fmt(v)} ms` : '–');
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '–');
const us = (v: number) => (Number.isFinite(v) ? `${fmt(v, v < 10 ? 1 : 0)} µs` : '–');
const sec = (v: number) => `${(v / 1000).toFixed(1)} s`;
const memTotal = (usage: readonly { memMiB: number }[]) => usage.reduce((a, u) => a + u.memMiB, 0);
const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–');

function producerRow(label: string, c: ProducerComparison, goal: boolean): string {
  return (
    `| ${label} | ${fmt(c.ours.pointsPerSecond)} | ${fmt(c.ours.avgPointsPerMessage, 1)} | ${fmt(c.ours.avgValueBytes)} B | ` +
    `${fmt(c.perfTest.recordsPerSecond)} rec/s = ${fmt(c.perfTestPointsPerSecond)} points/s | ${x(c.ratio)} | ` +
    `${goal ? mark(c.ratio >= GOALS.producerRatio) : 'for reference'} |`
  );
}

export function summaryLines(r: BenchResults): string[] {
  const best = maxSustainable(r.sweep);
  const at10k = r.sweep.find((s) => s.rate === 10_000);
  const ceiling = cpuRuns(r).at(-1)?.run.cpu.ceilingPointsPerSecond;
  const target = Math.max(GOALS.e2ePointsPerSecond, ceiling ? GOALS.e2eCeilingRatio * ceiling : 0);
  const targetWords =
    `goal ≥ ${fmt(GOALS.e2ePointsPerSecond)}` +
    (ceiling
      ? ` and ≥ ${GOALS.e2eCeilingRatio} × the CPU ceiling ${fmt(ceiling)} = ${fmt(GOALS.e2eCeilingRatio * ceiling)}`
      : '');
  const at1k = r.sweep.find((s) => s.rate === 1_000);
  const lines: string[] = [];
  if (r.producer) {
    const c = r.producer.coalesced;
    lines.push(
      `Producer (acks=all): ${fmt(c.ours.pointsPerSecond)} points/s vs perf-test ${fmt(c.perfTestPointsPerSecond)} → ${x(c.ratio)} (goal ≥ ${GOALS.producerRatio}×) ${mark(c.ratio >= GOALS.producerRatio)}`,
    );
  }
  if (r.influx) {
    lines.push(
      `InfluxDB direct write capacity: ${fmt(r.influx.pointsPerSecond)} points/s (${fmt(r.influx.counted)} of ${fmt(r.influx.written)} counted)`,
    );
  }
  if (r.sweep.length) {
    lines.push(
      best
        ? `End to end, zero loss: ${fmt(best.storedPerSecond)} points/s stored in InfluxDB (max sustainable rate ${fmt(best.rate)}/s), ${targetWords} ${mark(best.storedPerSecond >= target)}` +
            (r.influx ? `; ${x(best.storedPerSecond / r.influx.pointsPerSecond)} of InfluxDB's capacity` : '')
        : 'End to end: no rate was sustainable ❌ miss',
    );
  }
  if (at10k) {
    lines.push(
      `Latency at 10,000 points/s: p50 ${ms(at10k.p50Ms)}, p99 ${ms(at10k.p99Ms)} (goal p99 ≤ ${fmt(GOALS.p99AtTenThousandMs)} ms) ${markIf(at10k.p99Ms, (v) => v <= GOALS.p99AtTenThousandMs)}; ` +
        `producer behind schedule by up to ${ms(at10k.producerLagMaxMs)}, ${fmt(at10k.ticksSkipped)} ticks skipped`,
    );
  }
  if (at1k) {
    lines.push(
      `Latency at 1,000 points/s: p50 ${ms(at1k.p50Ms)}, p99 ${ms(at1k.p99Ms)} (goal p99 ≤ ${fmt(GOALS.p99AtOneThousandMs)} ms) ${markIf(at1k.p99Ms, (v) => v <= GOALS.p99AtOneThousandMs)}`,
    );
  }
  const cost = appCostFigures(r);
  if (cost) {
    lines.push(
      `The app with its flow strip at ${fmt(cost.rate)} points/s: CPU per point ${us(cost.withoutMicros)} without it, ${us(cost.withMicros)} with it ` +
        `(the app core itself ${us(cost.appMicros)}) → costs ${pct(cost.share)} of the sustainable rate (goal ≤ ${pct(GOALS.appCostShare)}) ${mark(cost.share <= GOALS.appCostShare)}`,
    );
  }
  for (const s of r.starts) {
    const goal = GOALS.firstPointMs[s.profile];
    lines.push(
      `Start → first point on the chart, ${s.profile} profile: ${sec(s.firstPointMs)} (every service healthy after ${sec(s.allHealthyMs)}; goal ≤ ${sec(goal)}) ${mark(s.firstPointMs <= goal)}` +
        (s.memory
          ? `; memory at ${fmt(s.memory.rate)} points/s ${fmt(memTotal(s.memory.usage))} MiB (goal ≤ ${fmt(GOALS.liteMemoryMiB)} MiB, Grafana not run here) ${mark(memTotal(s.memory.usage) <= GOALS.liteMemoryMiB)}`
          : ''),
    );
  }
  const cpu = cpuSummary(r);
  if (cpu) lines.push(cpu);
  if (r.app) {
    lines.push(
      `App core: ${r.app.cpuMeanPercent.toFixed(1)} % CPU, RSS ${fmt(r.app.rssStartMiB)}→${fmt(r.app.rssEndMiB)} MiB (trend ${r.app.rssSlopeMiBPerMin.toFixed(2)} MiB/min) ${mark(r.app.rssSlopeMiBPerMin <= GOALS.rssSlopeMiBPerMin)}; ` +
        `chart frame p95 ${ms(r.app.frameP95Ms)} ${markIf(r.app.frameP95Ms, (v) => v <= GOALS.framesP95Ms)}`,
    );
    lines.push(stripLatencyLine(r.app.stripLatency));
  }
  for (const [section, err] of Object.entries(r.errors)) lines.push(`${section}: FAILED (${err})`);
  return lines;
}

function footprintTable(r: BenchResults): string[] {
  const load = r.footprint.underLoad;
  const light = r.footprint.appLoad;
  const services = [...new Set([...(load?.usage ?? []), ...(light ?? [])].map((u) => u.service))].sort();
  if (services.length === 0) return ['Not measured.'];
  const find = (list: typeof light, s: string) => list?.find((u) => u.service === s);
  const rows = services.map((s) => {
    const a = find(light, s);
    const b = find(load?.usage, s);
    const limit = a?.limitMiB ?? b?.limitMiB ?? Number.NaN;
    return `| ${s} | ${a ? fmt(a.memMiB) : '–'} | ${b ? fmt(b.memMiB) : '–'} | ${fmt(limit)} |`;
  });
  const sum = (list?: { memMiB: number }[]) => (list ? fmt(list.reduce((t, u) => t + u.memMiB, 0)) : '–');
  const limits = services.reduce(
    (t, s) => t + (find(light, s)?.limitMiB ?? find(load?.usage, s)?.limitMiB ?? 0),
    0,
  );
  return [
    `| service | MiB at app load (100 points/s) | MiB at ${load ? `${fmt(load.rate)} points/s` : 'peak rate'} | limit (mem_limit) MiB |`,
    '|---|---:|---:|---:|',
    ...rows,
    `| **total** | ${sum(light)} | ${sum(load?.usage)} | ${fmt(limits)} |`,
  ];
}

/** The sum of every service's mem_limit in stack/compose.yaml, in GiB. */
function composeLimitGiB(): number {
  const file = new URL('../../stack/compose.yaml', import.meta.url);
  const services = (
    parse(readFileSync(file, 'utf8'), { merge: true }) as { services: Record<string, { mem_limit?: string }> }
  ).services;
  const bytes = (v = '0'): number => {
    const m = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(v.trim());
    if (!m) return 0;
    return Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase());
  };
  return Object.values(services).reduce((t, s) => t + bytes(s.mem_limit), 0) / 2 ** 30;
}

/** The laptop advice, from the measured totals (Grafana and Kafka UI added at their limits). */
function laptopNote(r: BenchResults): string {
  const total = (list?: { memMiB: number }[]) => list?.reduce((t, u) => t + u.memMiB, 0);
  const light = total(r.footprint.appLoad);
  const heavy = total(r.footprint.underLoad?.usage);
  const peak = heavy ?? light;
  if (peak === undefined) return '**Laptops:** not measured.';
  const extraUiMiB = 2 * 768; // Grafana and Kafka UI, at their mem_limits (they do not run here)
  const vmGiB = Math.ceil((peak + extraUiMiB) / 1024 + 0.5);
  return (
    `**Laptops:** the compose limits add up to ${composeLimitGiB()} GiB; measured, the stack used ${light === undefined ? '–' : `${fmt(light)} MiB`} at the app's ` +
    `everyday load and ${heavy === undefined ? '–' : `${fmt(heavy)} MiB`} at ${r.footprint.underLoad ? fmt(r.footprint.underLoad.rate) : '–'} points/s, ` +
    `most of it the three brokers (fixed 512 MiB heaps each). With Grafana and Kafka UI (up to ${fmt(extraUiMiB)} MiB more), ` +
    `give Docker Desktop's VM about ${vmGiB} GB: on an 8 GB laptop that leaves ${8 - vmGiB} GB for the OS, the app and a browser.`
  );
}

/**
 * Where CPU bounds the rate, the sustainable rate is inversely proportional to the CPU per point:
 * the app's share of it = 1 − (CPU per point without the app) ÷ (with it).
 */
function appCostFigures(r: BenchResults) {
  const c = r.appCost;
  const [before, after] = c?.without ?? [];
  if (!c || !before?.cpu || !after?.cpu || !c.with.cpu) return undefined;
  const withoutMicros = (before.cpu.totalMicrosPerPoint + after.cpu.totalMicrosPerPoint) / 2;
  const withMicros = c.with.cpu.totalMicrosPerPoint;
  const appMicros = c.with.cpu.stages.find((s) => s.stage === c.appStage)?.microsPerPoint ?? Number.NaN;
  return {
    rate: c.rate,
    withoutMicros,
    withMicros,
    appMicros,
    share: Math.max(0, 1 - withoutMicros / withMicros),
  };
}

function appCostSection(r: BenchResults): string[] {
  const cost = appCostFigures(r);
  const c = r.appCost;
  if (!cost || !c) return ['Not measured.'];
  const row = (label: string, run: typeof c.with) =>
    `| ${label} | ${fmt(run.storedPerSecond)} | ${ms(run.p50Ms)} | ${ms(run.p99Ms)} | ${us(run.cpu?.totalMicrosPerPoint ?? Number.NaN)} | ${run.sustainable ? 'yes' : 'no'} |`;
  return [
    '| run | stored points/s | p50 | p99 | CPU per point, all stages | sustainable |',
    '|---|---:|---:|---:|---:|---|',
    row('without the app', c.without[0]),
    row('with the app core running', c.with),
    row('without the app, again', c.without[1]),
    '',
    `The app core itself: ${us(cost.appMicros)} per point; the rest of the difference is what its queries cost Kafka, Telegraf and InfluxDB ` +
      `(and noise: each run is ${fmt(c.with.seconds)} s, one after the other). **Cost: ${pct(cost.share)} of the sustainable rate** ` +
      `(goal ≤ ${pct(GOALS.appCostShare)} ${mark(cost.share <= GOALS.appCostShare)}) = 1 − CPU per point without (the mean of the two runs, ${us(cost.withoutMicros)}) ÷ with, ` +
      'which is what it takes from the rate where CPU is the limit.',
    '',
    `Method: the end-to-end run above at ${fmt(c.rate)} points/s three times, each from a drained pipeline: without the app, with the app core running as its own process ` +
      "(bench/app-server.ts: the flow strip polls Kafka offsets, the consumer group, Telegraf's metrics and InfluxDB every second, whether or not a window shows it), " +
      "its CPU read from /proc and counted as one more stage, then without it again. The app's own producer does not run here (the bench's does), so neither does the strip's " +
      'latency probe, which reads new points of the run the app produces; the browser window is not included (the app bench below measures the UI).',
  ];
}

/** Each kept setting against the pipeline without it, from the same run. */
function leversSection(r: BenchResults): string[] {
  const l = r.levers;
  if (!l) return ['Not measured.'];
  type Pair = (typeof l.pairs)[number];
  // The stages the lever acts on (all of them when it names none), per point stored.
  const cpuOf = (p: Pair, run: RateRun) => {
    if (!run.cpu) return Number.NaN;
    if (p.stages.length === 0) return run.cpu.totalMicrosPerPoint;
    return run.cpu.stages.filter((s) => p.stages.includes(s.stage)).reduce((a, s) => a + s.microsPerPoint, 0);
  };
  return [
    '| lever (kept) | without it | at points/s | CPU per point where it acts, kept → without | all stages, kept → without | p99, kept → without | sustainable without it |',
    '|---|---|---:|---:|---:|---:|---|',
    ...l.pairs.map((p) => {
      if (!p.run || !p.keptRun)
        return `| ${p.name}: ${p.kept} | ${p.without} | ${fmt(p.rate)} | failed: ${p.error ?? 'not run'} | | | |`;
      const where = p.stages.length === 0 ? 'all stages' : p.stages.join(' + ');
      return (
        `| ${p.name}: ${p.kept} | ${p.without} | ${fmt(p.rate)} | ${where}: ${us(cpuOf(p, p.keptRun))} → ${us(cpuOf(p, p.run))} | ` +
        `${us(p.keptRun.cpu?.totalMicrosPerPoint ?? Number.NaN)} → ${us(p.run.cpu?.totalMicrosPerPoint ?? Number.NaN)} | ` +
        `${ms(p.keptRun.p99Ms)} → ${ms(p.run.p99Ms)} | ${p.run.sustainable ? 'yes' : `no: ${p.run.reasons.join('; ')}`} |`
      );
    }),
    '',
    `Method: for each lever, the end-to-end run above at the rate where it is meant to pay (${fmt(l.pairs[0]?.keptRun?.seconds ?? Number.NaN)} s each, from a drained pipeline) ` +
      'with every kept setting, then right after it with that one undone: each pair is compared within itself, so the cluster warming up over the section does not count. ' +
      "Producer levers are options of the bench's producer; Telegraf levers restart Telegraf with stack/telegraf/telegraf.conf so edited, and again with the file as it is afterwards. " +
      'CPU per point: per point stored, as in "Where the CPU goes"; one pair is one run each, so differences of a few µs are within the noise.',
  ];
}

function startSection(r: BenchResults): string[] {
  if (r.starts.length === 0) return ['Not measured.'];
  const services = [...new Set(r.starts.flatMap((s) => Object.keys(s.healthyMs)))].sort();
  const out = [
    `| profile | ${services.map((s) => `${s} healthy`).join(' | ')} | every service healthy | first point on the chart | goal |`,
    `|---|${services.map(() => '---:').join('|')}|---:|---:|---|`,
    ...r.starts.map(
      (s) =>
        `| ${s.profile} | ${services.map((x) => (s.healthyMs[x] === undefined ? '–' : sec(s.healthyMs[x]))).join(' | ')} | ` +
        `${sec(s.allHealthyMs)} | ${sec(s.firstPointMs)} | ≤ ${sec(GOALS.firstPointMs[s.profile])} ${mark(s.firstPointMs <= GOALS.firstPointMs[s.profile])} |`,
    ),
  ];
  for (const s of r.starts.filter((x) => x.memory)) {
    const m = s.memory as NonNullable<typeof s.memory>;
    out.push(
      '',
      `Memory of the ${s.profile} profile with the producer at ${fmt(m.rate)} points/s: ` +
        `**${fmt(memTotal(m.usage))} MiB** (${m.usage.map((u) => `${u.service} ${fmt(u.memMiB)}`).join(', ')}; goal ≤ ${fmt(GOALS.liteMemoryMiB)} MiB ${mark(memTotal(m.usage) <= GOALS.liteMemoryMiB)}); ` +
        `the sum of its limits (mem_limit) ${fmt(m.usage.reduce((a, u) => a + u.limitMiB, 0))} MiB, plus Grafana's 768 MiB, which does not run here.`,
    );
  }
  out.push(
    '',
    'Method: the app core (the same API the Start button calls: stack:up, then producer:start) on the bench project, taken down with its volumes first, ' +
      "so the images are present and the volumes empty, as on a user's first start. Each service's time is when the core's stack status first showed it healthy (polled every 250 ms); " +
      "the first point is when the chart's own query (the preview service, which asks InfluxDB once a second) first returned one. Grafana and Kafka UI have no local images and do not start here.",
  );
  return out;
}

export function renderReport(r: BenchResults): string {
  const best = maxSustainable(r.sweep);
  const c = r.config;
  const out: string[] = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (bench/run-bench.ts) on ${r.startedAt} – do not edit by hand; re-run to update.`,
    '',
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.ramGiB.toFixed(1)} GiB RAM, Linux ${r.machine.kernel}; ` +
      `Node ${r.machine.node}, Docker ${r.machine.docker}, ${r.machine.java}. Images: ${r.machine.images.join(', ')}.`,
    `Everything (3 brokers, Telegraf, InfluxDB, the bench itself, Chromium) shares these ${r.machine.cpus} cores. ` +
      `Run settings: ${c.seconds} s per measurement, app bench ${c.appMinutes} min, rates tried ${(r.sweep.length ? r.sweep.map((s) => s.rate) : c.rates).map((v) => fmt(v)).join(', ')} points/s over ${c.walks} walks.`,
    '',
    '## Summary',
    '',
    ...summaryLines(r).map((l) => `- ${l}`),
    '',
    '![Throughput and latency vs asked rate](bench-throughput-latency.png)',
    '',
    '## Producer: acks=all into the 3-broker cluster',
    '',
  ];
  if (r.producer) {
    out.push(
      '| layout | our points/s | points/message | avg message value | kafka-producer-perf-test, same record size | ratio | goal ≥ 0.5× |',
      '|---|---:|---:|---:|---:|---:|---|',
      producerRow('default: ≤ 100 points of a walk per message', r.producer.coalesced, true),
      producerRow('one point per message', r.producer.single, false),
      '',
      `Method: the producer library (kafkajs, idempotent, acks=all, one send in flight per partition) runs flat out ` +
        `(${r.producer.coalesced.ours.walks} walks, asked 1,000,000 points/s; it skips ticks it cannot deliver) into a bench topic ` +
        "with the pipeline topic's layout (6 partitions, RF 3, min ISR 2), deleted afterwards; points acknowledged per second " +
        `over ${c.seconds} s after a 3 s warm-up. The reference is Kafka's own \`kafka-producer-perf-test\` ` +
        '(org.apache.kafka.tools.ProducerPerformance from the 4.4.0 jars, Java on the host) on the same cluster and topic layout, ' +
        `acks=all, its default batching, keys round-robin over ${r.producer.coalesced.ours.walks} values, ` +
        '`--record-size` = the mean message value size our producer actually sent, over the same window. ' +
        'Its record rate × our points per message gives the points/s it stands for; ratio = ours / that.',
    );
  } else out.push('Not measured.');
  out.push('', '## InfluxDB write capacity', '');
  if (r.influx) {
    out.push(
      `${fmt(r.influx.pointsPerSecond)} points/s written (${fmt(r.influx.written)} points, ${fmt(r.influx.counted)} counted by query afterwards ${mark(r.influx.counted === r.influx.written)}).`,
      '',
      `Method: a direct line-protocol writer in Node (instead of \`inch\`): ${r.influx.concurrency} concurrent HTTP POST /api/v2/write ` +
        `of ${fmt(r.influx.batchLines)}-line batches, precision ns, uncompressed, ${r.influx.walks} series shaped like the walks ` +
        `(\`random_walk,walk=… value=…,seq=…i\`), into a throw-away bucket (deleted afterwards) for ${c.seconds} s. ` +
        'The writer itself uses part of the same 2 cores, so this is a lower bound of what InfluxDB alone could take.',
    );
  } else out.push('Not measured.');
  out.push('', '## End to end: generator → Kafka → Telegraf → InfluxDB', '');
  if (r.sweep.length) {
    out.push(
      '| asked points/s | stored points/s | acknowledged by Kafka points/s | skipped ticks | producer lag max | counted in InfluxDB | exact | p50 | p99 | max | backlog trend ± 2 SE, points/s | limit | drain after stop | waited for a drained pipeline | sustainable |',
      '|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|',
      ...r.sweep.map(
        (s) =>
          `| ${fmt(s.rate)} | ${fmt(s.storedPerSecond)} | ${fmt(s.deliveredPerSecond)} | ${fmt(s.ticksSkipped)} | ${ms(s.producerLagMaxMs)} | ` +
          `${fmt(s.counted)} / ${fmt(s.generated)} | ${s.countExact ? 'yes' : 'no'} | ${ms(s.p50Ms)} | ${ms(s.p99Ms)} | ${ms(s.maxMs)} | ` +
          `${fmt(s.lagTrend.pointsPerSecond)} ± ${fmt(2 * s.lagTrend.stdErrPointsPerSecond)} | ${fmt(s.lagSlopeLimit)} | ${ms(s.drainMs)} | ` +
          `${fmt(s.drainWaitMs / 1000, 1)} s | ${s.sustainable ? 'yes' : `no: ${s.reasons.join('; ')}`} |`,
      ),
      '',
      best
        ? `Max sustainable rate: **${fmt(best.rate)} points/s** (stored ${fmt(best.storedPerSecond)}/s, acknowledged by Kafka ${fmt(best.deliveredPerSecond)}/s, p50 ${ms(best.p50Ms)}, p99 ${ms(best.p99Ms)}).`
        : 'No rate was sustainable.',
      '',
      `Method: the producer library sends ${c.walks} walks at the asked rate into \`random-walks\` (the topic Telegraf consumes) for ` +
        `${c.seconds} s per rate, under a unique walk-id prefix. Rates are tried in order and the sweep stops at the first one that is not sustainable. ` +
        `Event → queryable latency: every ${c.pollMs} ms the bench asks InfluxDB for the newest seq of each walk (\`last()\`); when it moves from a to b, ` +
        'points a+1..b count as queryable at the moment that answer arrived (an upper bound; resolution = poll interval + query time, ' +
        `query p50 ${ms(best?.queryP50Ms ?? r.sweep[0]?.queryP50Ms ?? Number.NaN)}). Event time = the point's own timestamp as stored ` +
        "(the newest point's `_time`; the points before it by the stamps the producer put on their ticks, which that `_time` cross-checks: " +
        `${fmt(r.sweep.reduce((t, s) => t + s.stampMismatches, 0))} mismatches in this run). Producer lag = how far generation fell behind ` +
        'its tick schedule (ProducerMetrics.lagMs, sampled at each poll); a latency measured from a late stamp would hide it. ' +
        `**Stored points/s** = points counted in InfluxDB ÷ the time from the producer's start until the last of them was queryable; ` +
        'points acknowledged by Kafka per second of the producer run are shown beside it, and the difference is what the rest of the pipeline did not keep up with. ' +
        'The count check queries `count()` and `max()` of `seq` per walk: every walk must hold exactly seq 0..n−1 (n = ticks generated); ' +
        'InfluxDB keeps one point per (walk, timestamp), so a duplicate cannot inflate the count and a loss shows as a shortfall.',
      '',
      `**Sustainable** = no tick skipped and ≥ 99 % of the asked points generated, every point acknowledged by Kafka (acks=all), ` +
        `the exact count check passing, Telegraf's backlog not growing, and every point queryable within ${c.drainSeconds} s of the producer stopping. ` +
        `Backlog = the consumer lag of group \`telegraf-walkstream\` (end offsets − committed offsets, Telegraf commits what InfluxDB took), ` +
        `sampled every ${fmt(c.lagSampleMs)} ms through the Kafka admin API while the producer runs. Telegraf commits once a second, so the lag saw-tooths: ` +
        'the trend is the least-squares slope of the mean lag of each whole second, after the first fifth of the window (the ramp to the working level), ' +
        `× the measured points per message, and it must not exceed ${fmt(c.maxLagSlopeFraction * 100)} % of the rate by more than two standard errors ` +
        '(the ± column). Telegraf also stalls for seconds at a time now and then (a slow write to InfluxDB), and the seconds of one stall are not ' +
        'independent: the standard error is widened for the residuals’ lag-1 autocorrelation (effective sample size n·(1 − r)/(1 + r), Santer et al. 2000), ' +
        'and a window left with fewer than three independent seconds cannot show that the backlog does not grow, so its rate is not called sustainable. ' +
        'The end of the window is judged too, because a short window’s wide ± can hide a growing backlog: the time the last point took to become queryable after the stop, ' +
        `beyond the pipeline’s own p99 at a light load (the warm-up’s, or the first rate’s if lower), × the rate, is the backlog left over, and spread over the window it must stay within the same ${fmt(c.maxLagSlopeFraction * 100)} % of the rate. ` +
        'The ± is the resolution the window allows: it shrinks about as the window’s length to the power 1.5, so a longer BENCH_SECONDS narrows it. This does not depend on the window length, as a latency bound would: a pipeline slightly slower ' +
        'than the producer passes any latency bound in a short window. Each rate starts from a drained pipeline (lag 0, waited for up to ' +
        `${fmt(c.drainBeforeSeconds)} s).`,
    );
  } else out.push('Not measured.');
  out.push('', '## Where the CPU goes', '', ...cpuSection(r));
  out.push('', '## The app', '');
  if (r.app) {
    const a = r.app;
    out.push(
      '| figure | value | goal |',
      '|---|---:|---|',
      `| core CPU (mean, % of one core) | ${a.cpuMeanPercent.toFixed(1)} % | – |`,
      `| core RSS start / end / max | ${fmt(a.rssStartMiB)} / ${fmt(a.rssEndMiB)} / ${fmt(a.rssMaxMiB)} MiB | – |`,
      `| core RSS trend after warm-up | ${a.rssSlopeMiBPerMin.toFixed(2)} MiB/min | ≤ ${GOALS.rssSlopeMiBPerMin} MiB/min (no growth) ${mark(a.rssSlopeMiBPerMin <= GOALS.rssSlopeMiBPerMin)} |`,
      `| page JS heap start / end | ${a.pageHeapStartMiB.toFixed(1)} / ${a.pageHeapEndMiB.toFixed(1)} MiB | – |`,
      `| frame interval p50 / p95 / p99 / max | ${ms(a.frameP50Ms)} / ${ms(a.frameP95Ms)} / ${ms(a.frameP99Ms)} / ${ms(a.frameMaxMs)} | p95 ≤ ${GOALS.framesP95Ms} ms ${markIf(a.frameP95Ms, (v) => v <= GOALS.framesP95Ms)} |`,
      `| long tasks (> 50 ms) | ${fmt(a.longTasks)} (longest ${ms(a.longTaskMaxMs)}) over ${fmt(a.frames)} frames | – |`,
      '',
      `Method: the core (bench/app-server.ts: the app core wired to the bench stack, serving the built UI in browser mode) runs as its own ` +
        `process; ${a.chromiumVersion ? `Chromium ${a.chromiumVersion}` : 'Chromium'} (headless, software rendering) shows the UI; the producer runs 10 walks × 10 ticks/s for ` +
        `${a.minutes} min. CPU (utime+stime) and RSS of the core process come from /proc every 5 s; the trend is the least-squares slope ` +
        'after the first fifth of the run. Frame time = intervals between requestAnimationFrame callbacks inside the page while the live chart ' +
        `updates (it redraws once a second; ${fmt(a.chartPoints)} points on screen at the end), plus the Long Tasks API.`,
      '',
      '### The flow strip’s latency against the benchmark’s',
      '',
      '| clock | p50 | p99 | points | asks InfluxDB every |',
      '|---|---:|---:|---:|---:|',
      `| the strip (last minute of the run, sampled walks) | ${ms(a.stripLatency.strip.p50Ms ?? Number.NaN)} | ${ms(a.stripLatency.strip.p99Ms ?? Number.NaN)} | ${fmt(a.stripLatency.strip.samples)} | ${ms(a.stripLatency.strip.probeMs)} |`,
      `| the benchmark’s method (same minute, every walk) | ${ms(a.stripLatency.bench.p50Ms)} | ${ms(a.stripLatency.bench.p99Ms)} | ${fmt(a.stripLatency.bench.samples)} | ${ms(a.stripLatency.bench.pollMs)} |`,
      '',
      `${stripLatencyLine(a.stripLatency)}. Method: during the app bench above, the bench process watches the app's walks with the ` +
        "benchmark's clock (bench/lib/queryable-watch.ts: each point's latency from its scheduled tick time, stored as its timestamp, to the " +
        "poll that first returns it); at the end it reads the strip's figures over the API (`flow:status`) and compares them with the " +
        'points the benchmark saw in the same minute.',
    );
  } else out.push('Not measured.');
  out.push(
    '',
    '## Resource footprint',
    '',
    ...footprintTable(r),
    '',
    "From `docker stats --no-stream` for the project's containers, once half-way through the app bench and once half-way through the highest rate tried. " +
      'Grafana and Kafka UI do not run in this bench stack (no local images); their limits (768 MiB each) add to the total of a full stack.',
    '',
    laptopNote(r),
    '',
    '## Levers kept, each against the pipeline without it',
    '',
    ...leversSection(r),
    '',
    '## What the app costs the pipeline',
    '',
    ...appCostSection(r),
    '',
    '## From Start pipeline to the first point',
    '',
    ...startSection(r),
    '',
    '## Caveats',
    '',
    `- All figures come from one run on ${r.machine.cpus} shared cores: the brokers, Telegraf, InfluxDB, the load generator and the measurement ` +
      "compete for the same CPU, so each side's number is lower than it would be alone. Runs differ (other load, page cache, JIT): compare the ratios within one run rather than absolute figures across runs.",
    '- The load generator and the latency poller share one Node process; at high rates poll answers are handled late, which inflates the measured latency a little ' +
      `(p99 poll interval at the highest rate: ${ms(r.sweep.at(-1)?.pollIntervalP99Ms ?? Number.NaN)}).`,
    '- kafka-producer-perf-test sends random bytes with integer keys; ours are line-protocol text keyed by walk id. Same sizes and acks, not identical bytes.',
    '- The InfluxDB capacity is measured with our own writer, not `inch`; both are direct line-protocol writers over HTTP.',
    ...(r.drains.length
      ? [
          '- Every section started from a drained pipeline (Telegraf’s consumer lag 0), so none pays for the backlog of the one before: waited ' +
            r.drains
              .map(
                (d) => `${fmt(d.waitedMs / 1000, 1)} s before ${d.section} (${fmt(d.lagAtStart)} messages)`,
              )
              .join(', ') +
            '.',
        ]
      : []),
    '',
    'Run it: `npm run bench` (full: about 30 min). Knobs: `BENCH_SECONDS` (per measurement, default 30), `BENCH_APP_MINUTES` (default 10), ' +
      `\`BENCH_RATES\` (comma-separated, default ${DEFAULT_RATES.join(',')}), \`BENCH_WALKS\` (default 100), ` +
      '`BENCH_OUT` (the report’s path, default docs/BENCHMARKS.md; the plot goes beside it), ' +
      '`BENCH_SECTIONS` (comma-separated, only these: producer vs kafka-producer-perf-test, InfluxDB write capacity, end-to-end sweep, app cost, levers, app bench, start time, plot); ' +
      'e.g. `BENCH_SECONDS=10 BENCH_APP_MINUTES=1 npm run bench` for a quick check.',
    '',
  );
  if (Object.keys(r.errors).length) {
    out.push('## Failed sections', '', ...Object.entries(r.errors).map(([s, e]) => `- ${s}: ${e}`), '');
  }
  return out.join('\n');
}

function stripLatencyLine(c: StripLatencyCheck): string {
  const gaps = stripLatencyGaps(c);
  const ok =
    Number.isFinite(gaps.p50) && Number.isFinite(gaps.p99)
      ? Math.max(gaps.p50, gaps.p99) <= GOALS.stripLatencyAgreement
      : undefined;
  return (
    `Flow strip latency p50 ${ms(c.strip.p50Ms ?? Number.NaN)} / p99 ${ms(c.strip.p99Ms ?? Number.NaN)} vs the benchmark's method ` +
    `${ms(c.bench.p50Ms)} / ${ms(c.bench.p99Ms)} on the same minute: apart by ${pct(gaps.p50)} / ${pct(gaps.p99)} ` +
    `(goal ≤ ${pct(GOALS.stripLatencyAgreement)}) ${mark(ok)}`
  );
}
