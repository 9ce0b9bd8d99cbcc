/// <reference lib="dom" />
/**
 * The app under its everyday load: the core (bench/app-server.ts, its own process) running the
 * producer at 10 walks × 10 ticks/s while Chromium shows the UI. Samples the core's CPU and RSS
 * from /proc every few seconds, and inside the page the intervals between animation frames and
 * the long tasks while the live chart updates.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { FlowStatus } from '../../core/contract/data';
import { launchBrowser } from '../../tests/e2e/browser-harness';
import { processCpuSeconds } from './cpu-usage';
import type { FluxRunner } from './e2e-rate';
import { latencyBetween, watchQueryable } from './queryable-watch';
import { percentile, sleep, slope } from './stats';

export interface AppBenchOptions {
  repoDir: string;
  /** InfluxDB of the bench stack: the benchmark's latency clock watches the app's walks there. */
  flux: FluxRunner;
  bucket: string;
  minutes: number;
  sampleSeconds?: number;
  /** Called once half-way through (e.g. to sample container memory). */
  midRun?: () => Promise<void>;
}

export interface AppBench {
  minutes: number;
  cpuMeanPercent: number;
  rssStartMiB: number;
  rssEndMiB: number;
  rssMaxMiB: number;
  /** RSS growth after the first fifth of the run (warm-up), MiB per minute (least squares). */
  rssSlopeMiBPerMin: number;
  frames: number;
  frameP50Ms: number;
  frameP95Ms: number;
  frameP99Ms: number;
  frameMaxMs: number;
  longTasks: number;
  longTaskMaxMs: number;
  pageHeapStartMiB: number;
  pageHeapEndMiB: number;
  chartPoints: number;
  chromiumVersion: string;
  stripLatency: StripLatencyCheck;
}

/** The flow strip's end-to-end latency beside the benchmark's method, over the same minute of one run. */
export interface StripLatencyCheck {
  windowSeconds: number;
  strip: { p50Ms: number | null; p99Ms: number | null; samples: number; probeMs: number };
  bench: { p50Ms: number; p99Ms: number; samples: number; pollMs: number };
}

/** How often the benchmark's clock asks InfluxDB, as in the end-to-end sweep. */
const BENCH_POLL_MS = 100;

/**
 * Runs in the page before the app: records the intervals between animation frames and the long
 * tasks while window.__sampling is true. A string, not a function: tsx would wrap a function's
 * inner named closures in a helper (__name) that does not exist in the page.
 */
const FRAME_PROBE = `
  window.__frames = [];
  window.__longTasks = [];
  window.__sampling = false;
  let last = 0;
  const loop = (t) => {
    if (last && window.__sampling) window.__frames.push(t - last);
    last = t;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  new PerformanceObserver((list) => {
    if (window.__sampling) for (const e of list.getEntries()) window.__longTasks.push(e.duration);
  }).observe({ entryTypes: ['longtask'] });
`;

function procSample(pid: number): { cpuSeconds: number; rssMiB: number } {
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return { cpuSeconds: processCpuSeconds(pid), rssMiB: rssKb / 1024 };
}

/** The app core as its own process (bench/app-server.ts), wired to the bench stack. */
export async function startServer(
  repoDir: string,
): Promise<{ child: ChildProcess; url: string; token: string; loginUrl: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/app-server.ts'], {
    cwd: repoDir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`app server exited (${code}) before it was ready`)));
  });
  return { child, ...(JSON.parse(first) as { url: string; token: string; loginUrl: string }) };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(40_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

export async function runAppBench(opts: AppBenchOptions): Promise<AppBench> {
  const sampleMs = (opts.sampleSeconds ?? 5) * 1000;
  const server = await startServer(opts.repoDir);
  const pid = server.child.pid as number;
  const call = async <T = unknown>(name: string, input?: unknown): Promise<T> => {
    const res = await fetch(`${server.url}/api/call/${name}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input ?? {}),
    });
    const reply = (await res.json()) as { ok: boolean; result?: T; error?: { message: string } };
    if (!reply.ok) throw new Error(`${name}: ${reply.error?.message}`);
    return reply.result as T;
  };
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.addInitScript(FRAME_PROBE);
    await page.goto(server.loginUrl);
    await page.locator('[data-testid="pipeline-bar"][data-ready="true"]').waitFor({ timeout: 60_000 });
    await call('producer:setParams', { walks: 10, rate: 10 });
    const watch = watchQueryable({
      flux: opts.flux,
      bucket: opts.bucket,
      walkRegex: '/^w[0-9]+$/',
      sinceMs: Date.now(),
      pollMs: BENCH_POLL_MS,
    });
    await call('producer:start');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="chart"]')?.getAttribute('data-points')) > 0,
      null,
      { timeout: 60_000 },
    );
    const heap = () =>
      page.evaluate(
        () =>
          ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) /
          2 ** 20,
      );
    const pageHeapStartMiB = await heap();
    await page.evaluate(() => {
      (window as unknown as { __sampling: boolean }).__sampling = true;
    });
    const started = performance.now();
    const endAt = started + opts.minutes * 60_000;
    const samples: { min: number; cpuSeconds: number; rssMiB: number }[] = [];
    let midDone = false;
    while (performance.now() < endAt) {
      samples.push({ min: (performance.now() - started) / 60_000, ...procSample(pid) });
      if (!midDone && performance.now() > started + (opts.minutes * 60_000) / 2) {
        midDone = true;
        await opts.midRun?.().catch((err) => console.warn(`mid-run hook failed: ${(err as Error).message}`));
      }
      await sleep(Math.min(sampleMs, Math.max(0, endAt - performance.now())));
    }
    samples.push({ min: (performance.now() - started) / 60_000, ...procSample(pid) });
    const page_ = await page.evaluate(() => {
      const w = window as unknown as { __frames: number[]; __longTasks: number[]; __sampling: boolean };
      w.__sampling = false;
      return {
        frames: w.__frames,
        longTasks: w.__longTasks,
        chartPoints: Number(document.querySelector('[data-testid="chart"]')?.getAttribute('data-points')),
      };
    });
    const pageHeapEndMiB = await heap();
    const flow = await call<FlowStatus>('flow:status');
    const seen = await watch.stop();
    await call('producer:stop');
    const windowMs = flow.latency.windowSeconds * 1000;
    const stripLatency: StripLatencyCheck = {
      windowSeconds: flow.latency.windowSeconds,
      strip: {
        p50Ms: flow.latency.p50Ms,
        p99Ms: flow.latency.p99Ms,
        samples: flow.latency.samples,
        probeMs: flow.latency.probeMs,
      },
      bench: { ...latencyBetween(seen, flow.at - windowMs, flow.at), pollMs: BENCH_POLL_MS },
    };
    const first = samples[0] as (typeof samples)[number];
    const last = samples.at(-1) as (typeof samples)[number];
    const steady = samples.filter((s) => s.min >= opts.minutes / 5);
    const frames = [...page_.frames].sort((a, b) => a - b);
    return {
      minutes: opts.minutes,
      cpuMeanPercent: ((last.cpuSeconds - first.cpuSeconds) / ((last.min - first.min) * 60)) * 100,
      rssStartMiB: first.rssMiB,
      rssEndMiB: last.rssMiB,
      rssMaxMiB: Math.max(...samples.map((s) => s.rssMiB)),
      rssSlopeMiBPerMin: slope(
        steady.map((s) => s.min),
        steady.map((s) => s.rssMiB),
      ),
      frames: frames.length,
      frameP50Ms: percentile(frames, 0.5),
      frameP95Ms: percentile(frames, 0.95),
      frameP99Ms: percentile(frames, 0.99),
      frameMaxMs: frames.at(-1) ?? Number.NaN,
      longTasks: page_.longTasks.length,
      longTaskMaxMs: Math.max(0, ...page_.longTasks),
      pageHeapStartMiB,
      pageHeapEndMiB,
      chartPoints: page_.chartPoints,
      chromiumVersion: browser.version(),
      stripLatency,
    };
  } finally {
    await browser.close();
    await stopServer(server.child);
  }
}
