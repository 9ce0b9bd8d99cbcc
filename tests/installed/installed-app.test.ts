/// <reference lib="dom" />
/**
 * The app as users get it: the built core and renderer and the stack files in a root-owned,
 * read-only install folder; the app run by a normal user in the docker group, with a home folder
 * whose path has a space, a PATH without the docker CLI's folder, and the engine reachable only
 * through a non-default docker context (a socket of its own; the default socket is closed to the
 * user). Driven in Chromium like a user: Start pipeline, healthy services, points on the chart,
 * Stop; again with the same secrets and the data kept; an upgrade of the stack files; a context
 * pointing at a dead socket; no docker CLI anywhere. The Electron binary cannot run here: the
 * core is built with desktopCoreOptions, exactly as electron/main.ts builds it.
 * Needs root (to make the user, the install folder and the socket); run by tests/installed/run.sh.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_SERVICES } from '../../core/contract/data';
import { launchBrowser } from '../e2e/browser-harness';
import { socketRelay } from '../stack/socket-relay';

const run = promisify(execFile);
const repoDir = new URL('../../', import.meta.url).pathname;
const ROOT = '/tmp/walkstream-installed';
const INSTALL = join(ROOT, 'opt', 'Walkstream');
const RESOURCES = join(INSTALL, 'resources');
const USER = 'walkstream-user';
const HOME = join(ROOT, 'home dir', USER);
const USER_STACK = join(HOME, '.config', 'Walkstream', 'stack');
const ENGINE_SOCKET = join(ROOT, 'engine', 'docker.sock');
const CONTEXT = 'walkstream-test-engine';
const DEFAULT_SOCKET = '/var/run/docker.sock';
const EMPTY = join(ROOT, 'not-a-docker-cli');
// What a desktop menu gives an app: no /usr/bin, /usr/local/bin, ~/.docker/bin.
const MENU_PATH = '/usr/sbin';
const docker = process.env.WS_DOCKER || '/usr/bin/docker';

let proxy: Awaited<ReturnType<typeof socketRelay>> | undefined;
let browser: Browser;
let page: Page;
let app: { proc: ChildProcess; loginUrl: string } | null = null;

const sh = async (cmd: string, args: string[]) => (await run(cmd, args, { maxBuffer: 16 * 2 ** 20 })).stdout;

/** A command line run as the user, with only what a desktop session would give it. */
const userCommand = (args: string[]) => [
  'runuser',
  '-u',
  USER,
  '--',
  'env',
  '-i',
  `HOME=${HOME}`,
  `PATH=${MENU_PATH}`,
  'LANG=C.UTF-8',
  ...args,
];
const asUser = (args: string[]) => sh('runuser', userCommand(args).slice(1));

/** Starts the installed app's core as the user (optionally without any docker CLI) and waits for its URL. */
async function startApp(
  opts: { hideDockerCli?: boolean } = {},
): Promise<{ proc: ChildProcess; loginUrl: string }> {
  const userCmd = userCommand([process.execPath, join(RESOURCES, 'app', 'main.cjs'), INSTALL]);
  const proc = opts.hideDockerCli
    ? spawn(
        'unshare',
        [
          '-m',
          'sh',
          '-c',
          // Every docker CLI on this machine replaced by an empty, non-executable file, in this
          // process's own mount namespace only.
          `for f in /usr/bin/docker /usr/local/bin/docker; do [ -e "$f" ] && mount --bind '${EMPTY}' "$f"; done; exec "$@"`,
          'sh',
          ...userCmd,
        ],
        { cwd: ROOT },
      )
    : spawn(userCmd[0] as string, userCmd.slice(1), { cwd: ROOT });
  let out = '';
  let err = '';
  proc.stderr?.on('data', (d) => {
    err += d;
  });
  const loginUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not start in 60 s: ${err}`)), 60_000);
    proc.stdout?.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { loginUrl: string }).loginUrl);
      }
    });
    proc.once('exit', (code) => reject(new Error(`the app exited with ${code}: ${err}`)));
  });
  return { proc, loginUrl };
}

async function stopApp(): Promise<void> {
  if (!app) return;
  const { proc } = app;
  app = null;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

async function openApp(opts: { hideDockerCli?: boolean } = {}): Promise<void> {
  await stopApp();
  app = await startApp(opts);
  await page.goto(app.loginUrl);
  await page.locator('[data-testid="pipeline-bar"][data-ready="true"]').waitFor({ timeout: 30_000 });
}

async function waitHealthy(): Promise<void> {
  for (const service of PIPELINE_SERVICES) {
    await page
      .locator(`[data-testid="service-${service}"][data-health="healthy"]`)
      .waitFor({ timeout: 240_000 });
  }
}

async function stopPipeline(): Promise<void> {
  await page.getByRole('button', { name: 'Stop pipeline' }).click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="pipeline-state"]')?.textContent?.startsWith('Stopped'),
    null,
    { timeout: 120_000 },
  );
}

function userEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(USER_STACK, '.env'), 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) env[m[1] as string] = m[2] as string;
  }
  return env;
}

/** Walk points InfluxDB holds before `beforeIso`, asked with the user's own token. */
async function storedBefore(beforeIso: string): Promise<number> {
  const env = userEnv();
  const res = await fetch(`http://127.0.0.1:${env.INFLUXDB_PORT}/api/v2/query?org=${env.INFLUXDB_ORG}`, {
    method: 'POST',
    headers: { Authorization: `Token ${env.INFLUXDB_ADMIN_TOKEN}`, 'Content-Type': 'application/vnd.flux' },
    body: `from(bucket: "${env.INFLUXDB_BUCKET}") |> range(start: -1h, stop: ${beforeIso})
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "seq") |> group() |> count()`,
  });
  const csv = await res.text();
  if (!res.ok) throw new Error(`InfluxDB query: ${res.status} ${csv}`);
  return Number(/,(\d+)\s*$/m.exec(csv.trim())?.[1] ?? 0);
}

async function waitUntilFile(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the file did not change as expected');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function install(version: string): void {
  mkdirSync(join(RESOURCES, 'app'), { recursive: true });
  writeFileSync(join(RESOURCES, 'app-version'), `${version}\n`);
}

beforeAll(async () => {
  rmSync(ROOT, { recursive: true, force: true });
  // The install folder: the built core (one bundle, as electron-vite's is), the built renderer and
  // the stack files (never a .env), root-owned and read-only.
  install('1.0.0');
  await sh(`${repoDir}node_modules/.bin/esbuild`, [
    `${repoDir}tests/installed/installed-app-main.ts`,
    '--bundle',
    '--platform=node',
    '--format=cjs',
    '--target=node20',
    `--outfile=${join(RESOURCES, 'app', 'main.cjs')}`,
    '--external:cpu-features',
    '--loader:.node=empty',
    '--log-level=warning',
  ]);
  await sh('cp', ['-r', `${repoDir}out/web`, join(RESOURCES, 'web')]);
  await sh('cp', ['-r', `${repoDir}stack`, join(RESOURCES, 'stack')]);
  rmSync(join(RESOURCES, 'stack', '.env'), { force: true });
  await sh('chmod', ['-R', 'a-w', INSTALL]);
  writeFileSync(EMPTY, '');
  chmodSync(EMPTY, 0o644);

  // A normal user in the docker group, at home under a path with a space.
  await sh('userdel', [USER]).catch(() => {});
  mkdirSync(join(ROOT, 'home dir'), { recursive: true });
  chmodSync(ROOT, 0o755);
  await sh('useradd', [
    '--create-home',
    '--home-dir',
    HOME,
    '--groups',
    'docker',
    '--shell',
    '/bin/sh',
    USER,
  ]);

  // The Compose plugin where a system-wide Docker install puts it (the tests' own is root's).
  if (!existsSync('/usr/local/lib/docker/cli-plugins/docker-compose')) {
    mkdirSync('/usr/local/lib/docker/cli-plugins', { recursive: true });
    await sh('cp', [
      `${process.env.WS_BIN}/docker-compose`,
      '/usr/local/lib/docker/cli-plugins/docker-compose',
    ]);
  }

  // The engine on a socket of its own (a byte-for-byte relay to the engine), for the docker group;
  // the default socket closed to everyone but root while the test runs.
  mkdirSync(join(ROOT, 'engine'), { recursive: true });
  proxy = await socketRelay(ENGINE_SOCKET, DEFAULT_SOCKET);
  await sh('chown', ['root:docker', ENGINE_SOCKET]);
  chmodSync(ENGINE_SOCKET, 0o660);
  chmodSync(DEFAULT_SOCKET, 0o600);

  await asUser([docker, 'context', 'create', CONTEXT, '--docker', `host=unix://${ENGINE_SOCKET}`]);
  await asUser([docker, 'context', 'use', CONTEXT]);

  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
}, 180_000);

afterAll(async () => {
  await stopApp().catch(() => {});
  await browser?.close();
  if (existsSync(join(USER_STACK, 'compose.yaml'))) {
    await sh(docker, [
      'compose',
      '-p',
      'walkstream',
      '--project-directory',
      USER_STACK,
      '-f',
      join(USER_STACK, 'compose.yaml'),
      '-f',
      join(USER_STACK, 'local-images', 'compose.local.yaml'),
      '--profile',
      'headless',
      'down',
      '-v',
      '--remove-orphans',
    ]).catch((err) => console.error(`cleanup: ${(err as Error).message}`));
  }
  chmodSync(DEFAULT_SOCKET, 0o660);
  await proxy?.down();
  await sh('userdel', [USER]).catch(() => {});
  if (existsSync(ROOT)) await sh('chmod', ['-R', 'u+w', ROOT]);
  rmSync(ROOT, { recursive: true, force: true });
}, 180_000);

describe('the installed app, run by a normal user on a non-default docker context', () => {
  let envAtFirstStart = '';
  let firstStopIso = '';

  it('Start pipeline: every available service healthy, points on the chart; Stop', async () => {
    // The user may not use the default socket: whatever the app reaches goes through the context.
    await expect(asUser([docker, '-H', `unix://${DEFAULT_SOCKET}`, 'ps'])).rejects.toThrow(
      /permission denied/i,
    );
    await openApp();
    await page
      .getByTestId('engine-summary')
      .filter({ hasText: `context "${CONTEXT}"` })
      .waitFor({ timeout: 30_000 });
    // No registry here: the locally built images, chosen in the app's settings as a user would.
    await page.getByLabel('Use locally built images').check();
    await page.getByText('Grafana and Kafka UI have no local build').waitFor();
    const clickedAt = Date.now();
    await page.getByRole('button', { name: 'Start pipeline' }).click();
    await waitHealthy();
    const healthyAt = Date.now();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="chart"]')?.getAttribute('data-points')) > 0,
      null,
      { timeout: 60_000 },
    );
    // Images present, volumes empty: what a user waits for after the first click.
    console.log(
      `[installed] Start → every service healthy ${((healthyAt - clickedAt) / 1000).toFixed(1)} s → first point on the chart ${((Date.now() - clickedAt) / 1000).toFixed(1)} s`,
    );
    expect(proxy?.connections).toBeGreaterThan(0);
    // The secrets were made on first start, in the user's folder, private to them.
    const env = statSync(join(USER_STACK, '.env'));
    expect(env.uid).toBe(Number((await sh('id', ['-u', USER])).trim()));
    expect(env.mode & 0o777).toBe(0o600);
    expect(existsSync(join(RESOURCES, 'stack', '.env'))).toBe(false);
    envAtFirstStart = readFileSync(join(USER_STACK, '.env'), 'utf8');
    await stopPipeline();
    firstStopIso = new Date().toISOString();
  });

  it('started again: the same .env, the data of the first run still there', async () => {
    await openApp();
    await page.getByRole('button', { name: 'Start pipeline' }).click();
    await waitHealthy();
    expect(readFileSync(join(USER_STACK, '.env'), 'utf8')).toBe(envAtFirstStart);
    expect(await storedBefore(firstStopIso)).toBeGreaterThan(0);
    await stopPipeline();
  });

  it('secrets reset while the old data is still there: Start names the mismatch and adopts the matching .env', async () => {
    // The user "resets" by moving .env aside; the next Start makes new secrets the data does not match.
    await sh('mv', [join(USER_STACK, '.env'), join(USER_STACK, '.env.replaced-by-hand')]);
    await page.getByRole('button', { name: 'Start pipeline' }).click();
    const error = page.getByTestId('pipeline-error').filter({ hasText: 'STACK_DATA_FROM_OTHER_SECRETS' });
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toContain('.env.replaced-by-hand');
    expect(readFileSync(join(USER_STACK, '.env'), 'utf8')).not.toBe(envAtFirstStart);
    await page.getByRole('button', { name: 'Use the matching secrets' }).click();
    await waitUntilFile(() => readFileSync(join(USER_STACK, '.env'), 'utf8') === envAtFirstStart);
    expect(statSync(join(USER_STACK, '.env')).mode & 0o777).toBe(0o600);
  });

  it("an upgrade: a changed stack file reaches the user's folder, .env untouched, and the app says so", async () => {
    await stopApp();
    const conf = join(RESOURCES, 'stack', 'telegraf', 'telegraf.conf');
    await sh('chmod', ['-R', 'u+w', INSTALL]);
    writeFileSync(conf, `${readFileSync(conf, 'utf8')}# changed in 1.0.1\n`);
    install('1.0.1');
    await sh('chmod', ['-R', 'a-w', INSTALL]);
    await openApp();
    await page
      .getByTestId('stack-folder')
      .filter({ hasText: 'updated from 1.0.0 to 1.0.1: telegraf/telegraf.conf' })
      .waitFor({ timeout: 30_000 });
    expect(readFileSync(join(USER_STACK, 'telegraf', 'telegraf.conf'), 'utf8')).toContain(
      '# changed in 1.0.1',
    );
    expect(readFileSync(join(USER_STACK, '.env'), 'utf8')).toBe(envAtFirstStart);
  });

  it('a context pointing at a dead socket: Start says so, naming the context', async () => {
    await asUser([docker, 'context', 'create', 'gone', '--docker', `host=unix://${ROOT}/gone.sock`]);
    await asUser([docker, 'context', 'use', 'gone']);
    try {
      await openApp();
      await page.getByRole('button', { name: 'Start pipeline' }).click();
      const error = page.getByTestId('pipeline-error');
      await error.waitFor({ timeout: 60_000 });
      expect(await error.textContent()).toMatch(/context "?gone"?/);
    } finally {
      await asUser([docker, 'context', 'use', CONTEXT]);
    }
  });

  it('no docker CLI anywhere: Start says where it looked and what to install', async () => {
    await openApp({ hideDockerCli: true });
    await page.getByRole('button', { name: 'Start pipeline' }).click();
    const error = page.getByTestId('pipeline-error');
    await error.waitFor({ timeout: 60_000 });
    const text = (await error.textContent()) ?? '';
    expect(text).toContain('DOCKER_CLI_MISSING');
    expect(text).toContain('/usr/bin');
    expect(text).toContain('/usr/local/bin');
    expect(text).toMatch(/Install|install/);
  });
});
