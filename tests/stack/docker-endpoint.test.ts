/**
 * The engine lookup against the real Docker engine and the real docker CLI: a docker context made
 * with `docker context create`, pointing at a counting proxy in front of the engine's socket, must
 * carry dockerode and every docker / docker compose call through that proxy; a context pointing at
 * nothing must produce an error that names it. Needs only a running dockerd (no stack).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../core/create-core';
import { type DockerCli, findDockerCli } from '../../core/docker/docker-cli';
import { DockerConnection } from '../../core/docker/docker-connection';
import {
  cliEnv,
  dockerConfigDir,
  dockerodeOptions,
  resolveDockerEndpoint,
} from '../../core/docker/docker-endpoint';
import { runPreflight } from '../../core/stack/preflight';
import { socketRelay } from './socket-relay';

const run = promisify(execFile);
const repoDir = new URL('../../', import.meta.url).pathname;

const ENGINE_VARS = [
  'DOCKER_HOST',
  'DOCKER_CONTEXT',
  'DOCKER_CONFIG',
  'DOCKER_TLS_VERIFY',
  'DOCKER_CERT_PATH',
];

let dir: string;
let config: string;
let proxySocket: string;
let proxy: Awaited<ReturnType<typeof socketRelay>>;
let cli: DockerCli;
/** This process's environment with the test's docker config and none of the caller's engine choice. */
let env: NodeJS.ProcessEnv;

const docker = (args: string[], childEnv: NodeJS.ProcessEnv = env) =>
  run(cli.path, args, { env: childEnv, timeout: 60_000 }).then((r) => r.stdout.trim());

beforeAll(async () => {
  // The CLI and engine this machine really uses, found the way the app finds them.
  cli = await findDockerCli({ setting: process.env.WS_DOCKER });
  const real = resolveDockerEndpoint();
  if (!real.host.startsWith('unix://'))
    throw new Error(`the test proxies a unix socket; the engine is ${real.host}`);

  dir = mkdtempSync(join(tmpdir(), 'ws-endpoint-'));
  config = join(dir, 'docker-config');
  mkdirSync(config);
  // The Compose plugin may live in the user's config dir, which a fresh DOCKER_CONFIG hides.
  const plugins = join(dockerConfigDir(), 'cli-plugins');
  if (existsSync(plugins)) symlinkSync(plugins, join(config, 'cli-plugins'));
  env = { ...process.env, DOCKER_CONFIG: config };
  for (const name of ENGINE_VARS.filter((n) => n !== 'DOCKER_CONFIG')) delete env[name];

  proxySocket = join(dir, 'proxy.sock');
  proxy = await socketRelay(proxySocket, real.host.slice('unix://'.length));
  await docker(['context', 'create', 'wstest', '--docker', `host=unix://${proxySocket}`]);
  await docker(['context', 'create', 'wsdead', '--docker', `host=unix://${join(dir, 'nothing.sock')}`]);
  await docker(['context', 'use', 'wstest']);
});

afterAll(async () => {
  await proxy?.down();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the Docker endpoint, against the real engine and CLI', () => {
  it('resolves the current context to the host the CLI itself reports', async () => {
    const endpoint = resolveDockerEndpoint({ env });
    expect(endpoint).toMatchObject({
      host: `unix://${proxySocket}`,
      source: 'context',
      contextName: 'wstest',
    });
    expect(await docker(['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'])).toBe(
      endpoint.host,
    );
  });

  it('sends dockerode and the docker / docker compose CLI through the context, even after a switch', async () => {
    const endpoint = resolveDockerEndpoint({ env });
    // Switched back in config.json: a CLI that were not told the context would now miss the proxy.
    await docker(['context', 'use', 'default']);
    try {
      let before = proxy.connections;
      const client = new Dockerode(dockerodeOptions(endpoint));
      expect(String(await client.ping())).toBe('OK');
      expect((await client.info()).MemTotal).toBeGreaterThan(0);
      expect(proxy.connections).toBeGreaterThan(before);

      const childEnv = cliEnv(endpoint, env);
      before = proxy.connections;
      await docker(['ps', '--format', '{{.ID}}'], childEnv);
      expect(proxy.connections, 'docker ps through the proxy').toBeGreaterThan(before);

      expect(await docker(['compose', 'version'], childEnv)).toMatch(/v?\d+\.\d+\.\d+/);
      before = proxy.connections;
      await docker(['compose', 'ls', '--all'], childEnv);
      expect(proxy.connections, 'docker compose ls through the proxy').toBeGreaterThan(before);
    } finally {
      await docker(['context', 'use', 'wstest']);
    }
  });

  it('describes the engine and the CLI through the connection the core uses', async () => {
    const connection = new DockerConnection({ env: { ...env, DOCKER_CONTEXT: 'wstest' } });
    const before = proxy.connections;
    const engine = await connection.describe();
    expect(engine).toMatchObject({ source: 'context', contextName: 'wstest', host: `unix://${proxySocket}` });
    expect(engine.memTotalBytes).toBeGreaterThan(0);
    expect(engine.serverVersion).toMatch(/\d+\.\d+/);
    expect(engine.cliPath).toBeTruthy();
    expect(engine.composeVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(proxy.connections).toBeGreaterThan(before);

    const process_ = await connection.cliProcess();
    const beforeCli = proxy.connections;
    await run(process_.path, ['compose', 'ls'], { env: process_.env, timeout: 60_000 });
    expect(proxy.connections).toBeGreaterThan(beforeCli);
  });

  it('names a context whose engine does not answer, in the engine check and the pre-flight', async () => {
    const connection = new DockerConnection({ env: { ...env, DOCKER_CONTEXT: 'wsdead' } });
    const expected = {
      code: 'DOCKER_NOT_RUNNING',
      message: expect.stringMatching(/nothing\.sock \(docker context "wsdead"\).*docker context use/),
    };
    await expect(connection.engine()).rejects.toMatchObject(expected);
    await expect(
      runPreflight({
        engine: () => connection.engine(),
        findCli: () => connection.cli(),
        ports: [],
        requiredMemoryBytes: 1,
      }),
    ).rejects.toMatchObject(expected);
    const missing = new DockerConnection({ env: { ...env, DOCKER_CONTEXT: 'no-such-context' } });
    await expect(missing.engine()).rejects.toMatchObject({
      code: 'DOCKER_CONTEXT_INVALID',
      message: expect.stringContaining('"no-such-context"'),
    });
  });

  it("answers docker:engine over the core's API from the user's docker context", async () => {
    const saved = Object.fromEntries(ENGINE_VARS.map((n) => [n, process.env[n]]));
    for (const n of ENGINE_VARS) delete process.env[n];
    process.env.DOCKER_CONFIG = config; // current context: wstest
    const settingsDir = mkdtempSync(join(dir, 'settings-'));
    const core = createCore({
      stackDir: `${repoDir}stack`,
      settingsPath: join(settingsDir, 'settings.json'),
      envFile: join(settingsDir, 'no.env'),
      project: 'walkstream-endpoint-test',
      dockerCli: cli.path,
    });
    try {
      const before = proxy.connections;
      const reply = await core.router.call('docker:engine', undefined);
      expect(reply).toMatchObject({
        ok: true,
        result: { contextName: 'wstest', source: 'context', cliPath: cli.path, cliError: null },
      });
      expect(proxy.connections).toBeGreaterThan(before);
    } finally {
      await core.shutdown();
      for (const [n, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[n];
        else process.env[n] = v;
      }
    }
  });
});
