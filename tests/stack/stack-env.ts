/**
 * What the stack suite knows about the stack that tests/stack/with-stack.sh brought up:
 * addresses and secrets from the environment it exports, plus small helpers to reach the services.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { InfluxDB } from '@influxdata/influxdb-client';
import { Kafka, logLevel } from 'kafkajs';
import { BROKER_SERVICES, CONTROLLER_SERVICES } from '../../core/contract/data';
import { type Core, type CoreOptions, createCore } from '../../core/create-core';

const run = promisify(execFile);

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the stack suite with npm run test:stack`);
  return v;
}

export const stackEnv = {
  brokers: required('KAFKA_BROKERS').split(','),
  influxUrl: required('INFLUX_URL'),
  influxToken: required('INFLUX_TOKEN'),
  influxOrg: required('INFLUX_ORG'),
  influxBucket: required('INFLUX_BUCKET'),
  project: required('WALKSTREAM_TEST_PROJECT'),
  envFile: required('WALKSTREAM_TEST_ENV_FILE'),
  docker: process.env.WS_DOCKER || 'docker',
};

export const repoDir = new URL('../../', import.meta.url).pathname;

/**
 * The start of a `docker compose` command line on the repository's stack/ with the suite's env
 * file: `files` are paths under stack/, compose.yaml first; without `project`, Compose names it.
 */
export function composeCommand(files: string[], project?: string): string[] {
  return [
    'compose',
    ...(project ? ['-p', project] : []),
    '--project-directory',
    `${repoDir}stack`,
    '--env-file',
    stackEnv.envFile,
    ...files.flatMap((f) => ['-f', `${repoDir}stack/${f}`]),
  ];
}

/** `docker compose` on the test project, with the same files and env file the suite script used. */
export async function compose(...args: string[]): Promise<string> {
  const { stdout } = await run(
    stackEnv.docker,
    [...composeCommand(['compose.yaml', 'local-images/compose.local.yaml'], stackEnv.project), ...args],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

/**
 * `kafka-metadata-quorum.sh describe --status`, run in kafka-1: the KRaft quorum as it sees itself.
 * Asked through a broker by default; `controllers` asks those controllers directly instead, given
 * 10 s to answer: a broker forwards the question to the active controller and waits out its 30 s
 * request timeout when that one is frozen, and a controller that still names the frozen one as
 * active sends the tool there too.
 */
export function quorumStatus(controllers?: string[]): Promise<string> {
  const via = controllers
    ? ['--bootstrap-controller', controllers.map((c) => `${c}:9093`).join(',')]
    : ['--bootstrap-server', 'kafka-1:19092'];
  return kafkaTool(
    'kafka-metadata-quorum.sh',
    [...via, 'describe', '--status'],
    controllers ? 10 : undefined,
  );
}

/**
 * One of Kafka's CLI tools, run inside kafka-1 (the image has them; `compose run` of a new
 * container would add seconds to every question). The tool's JVM gets a heap of its own size: it
 * would otherwise inherit the broker's fixed 512 MiB heap inside the broker's memory limit.
 * `timeoutS`: killed after that many seconds.
 */
export function kafkaTool(script: string, args: string[], timeoutS?: number): Promise<string> {
  return compose(
    'exec',
    '-T',
    '-e',
    'KAFKA_HEAP_OPTS=-Xmx128m',
    'kafka-1',
    ...(timeoutS ? ['timeout', String(timeoutS)] : []),
    `/opt/kafka/bin/${script}`,
    ...args,
  );
}

export function kafka(clientId = 'walkstream-stack-test'): Kafka {
  return new Kafka({ clientId, brokers: stackEnv.brokers, logLevel: logLevel.NOTHING });
}

export function influxQueryApi() {
  return new InfluxDB({ url: stackEnv.influxUrl, token: stackEnv.influxToken, timeout: 60_000 }).getQueryApi(
    stackEnv.influxOrg,
  );
}

/** A call to InfluxDB's HTTP API with the admin token; a non-2xx answer throws with its body. */
export async function influxApi(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${stackEnv.influxUrl}${path}`, {
    ...init,
    headers: {
      Authorization: `Token ${stackEnv.influxToken}`,
      'Content-Type': 'application/json',
      ...init.headers,
    },
  });
  if (!res.ok) throw new Error(`InfluxDB ${path}: ${res.status} ${await res.text()}`);
  return res;
}

/** A bucket of the test's own, so only what it writes there is counted; `remove` deletes it. */
export async function scratchBucket(prefix: string): Promise<{ name: string; remove: () => Promise<void> }> {
  const { orgs } = (await (await influxApi(`/api/v2/orgs?org=${stackEnv.influxOrg}`)).json()) as {
    orgs: { id: string }[];
  };
  const name = `${prefix}-${Date.now().toString(36)}`;
  const { id } = (await (
    await influxApi('/api/v2/buckets', {
      method: 'POST',
      body: JSON.stringify({ orgID: orgs[0]?.id, name, retentionRules: [] }),
    })
  ).json()) as { id: string };
  return { name, remove: () => influxApi(`/api/v2/buckets/${id}`, { method: 'DELETE' }).then(() => {}) };
}

/** Runs a Flux query and returns its rows as plain objects. */
export async function flux<T = Record<string, unknown>>(query: string): Promise<T[]> {
  return (await influxQueryApi().collectRows(query)) as T[];
}

export interface WalkSummary {
  walk: string;
  count: number;
  distinct: number;
  min: number;
  max: number;
}

/** Per walk of `prefix`: how many `seq` values InfluxDB holds, how many distinct, and their range. */
export async function storedPerWalk(prefix: string, sinceIso: string): Promise<WalkSummary[]> {
  const base = `import "strings"
data = from(bucket: "${stackEnv.influxBucket}")
  |> range(start: ${sinceIso})
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "seq" and strings.hasPrefix(v: r.walk, prefix: "${prefix}"))
  |> keep(columns: ["walk", "_value"])
  |> group(columns: ["walk"])`;
  const rows = await flux<{ walk: string; _value: number; stat: string }>(`${base}
union(tables: [
  data |> count() |> set(key: "stat", value: "count"),
  data |> unique() |> count() |> set(key: "stat", value: "distinct"),
  data |> min() |> set(key: "stat", value: "min"),
  data |> max() |> set(key: "stat", value: "max"),
])`);
  const byWalk = new Map<string, WalkSummary>();
  for (const r of rows) {
    const s = byWalk.get(r.walk) ?? { walk: r.walk, count: 0, distinct: 0, min: 0, max: 0 };
    s[r.stat as 'count' | 'distinct' | 'min' | 'max'] = Number(r._value);
    byWalk.set(r.walk, s);
  }
  return [...byWalk.values()];
}

/**
 * Polls `probe` until it returns a value `done` accepts, or fails after `timeoutMs` with the last
 * value seen: a readiness probe, not a sleep.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs: number,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      // A probe that hangs (a connection to a restarting service) must not outlast the deadline.
      let timer: NodeJS.Timeout | undefined;
      const overdue = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('the probe itself did not answer')),
          Math.max(1_000, deadline - Date.now()),
        );
      });
      try {
        last = await Promise.race([probe(), overdue]);
      } finally {
        clearTimeout(timer);
      }
      if (done(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not reached within ${timeoutMs / 1000} s; last value ${JSON.stringify(last)}` +
          (lastError ? `, last error ${(lastError as Error).message}` : ''),
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const runId = `t${Date.now().toString(36)}`;

/**
 * The app core wired to the test stack (same project, env file and local-images override), with
 * its own throw-away settings file at `settingsPath`. `dispose` shuts it down and removes the settings.
 */
/**
 * Leaves no fault behind after a suite that injects them through the app, whatever failed: undo
 * every active fault through the core, then make sure through Docker that paused services run
 * again and stopped ones are started.
 */
export async function restoreThroughCore(core: Core | undefined): Promise<void> {
  if (!core) return;
  for (const f of core.chaos.status().faults) await core.chaos.undo({ id: f.id }).catch(() => {});
  for (const s of [...BROKER_SERVICES, ...CONTROLLER_SERVICES, 'telegraf'] as const)
    await core.stack.unpauseService(s).catch(() => {});
  for (const s of [...BROKER_SERVICES, ...CONTROLLER_SERVICES, 'influxdb'] as const)
    await core.stack.startService(s).catch(() => {});
}

export function createTestCore(overrides: Partial<CoreOptions> = {}): {
  core: Core;
  settingsPath: string;
  dispose: () => Promise<void>;
} {
  const settingsDir = mkdtempSync(`${tmpdir()}/walkstream-settings-`);
  const settingsPath = `${settingsDir}/settings.json`;
  const core = createCore({
    stackDir: `${repoDir}stack`,
    settingsPath,
    project: stackEnv.project,
    envFile: stackEnv.envFile,
    extraComposeFiles: [`${repoDir}stack/local-images/compose.local.yaml`],
    dockerCli: stackEnv.docker,
    ...overrides,
  });
  return {
    core,
    settingsPath: overrides.settingsPath ?? settingsPath,
    dispose: async () => {
      await core.shutdown();
      rmSync(settingsDir, { recursive: true, force: true });
    },
  };
}
