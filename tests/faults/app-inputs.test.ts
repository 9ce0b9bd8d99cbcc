/**
 * Fault scenario 6: the app's bad inputs, against the real core over its HTTP API. Out-of-range
 * parameters, a stack file with an error and the Docker socket disappearing while the pipeline
 * runs each give a clear error that names the problem and what to do, and nothing crashes or
 * forgets its state.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { startHttpTransport } from '../../core/api/http-transport';
import type { ApiReply } from '../../core/contract/api';
import type { ProducerStatus, StackStatus } from '../../core/contract/data';
import { socketRelay } from '../stack/socket-relay';
import { createTestCore, repoDir, stackEnv, waitUntil } from '../stack/stack-env';
import { report } from './fault-harness';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** The core behind its real HTTP transport; `call` returns the raw reply envelope. */
async function serveCore(...args: Parameters<typeof createTestCore>) {
  const { core, dispose } = createTestCore(...args);
  const http = await startHttpTransport({ router: core.router, hub: core.hub });
  cleanups.push(
    () => dispose(),
    () => http.close(),
  );
  const call = async <T>(name: string, input?: unknown): Promise<ApiReply<T>> => {
    const res = await fetch(`${http.url}/api/call/${name}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${http.token}`, 'Content-Type': 'application/json' },
      body: input === undefined ? '' : JSON.stringify(input),
    });
    return (await res.json()) as ApiReply<T>;
  };
  return { core, call };
}

function errorOf<T>(reply: ApiReply<T>) {
  if (reply.ok) throw new Error(`expected an error, got ${JSON.stringify(reply.result).slice(0, 200)}`);
  return reply.error;
}
function resultOf<T>(reply: ApiReply<T>): T {
  if (!reply.ok) throw new Error(`expected a result, got ${reply.error.code}: ${reply.error.message}`);
  return reply.result;
}

describe("the app's bad inputs", () => {
  it('out-of-range parameters over the API: a clear error naming the field and range; nothing changes', async () => {
    const { call } = await serveCore();
    const before = resultOf(await call<ProducerStatus>('producer:status')).params;
    const cases: [unknown, RegExp][] = [
      [{ volatility: -1 }, /volatility/i],
      [{ walks: 0 }, /walks/i],
      [{ rate: 1e9 }, /rate/i],
      [{ walks: 'ten' }, /walks/i],
      [{ colour: 'red' }, /colour/i],
    ];
    for (const [input, names] of cases) {
      const error = errorOf(await call('producer:setParams', input));
      expect(error.code, JSON.stringify(input)).toBe('INVALID_INPUT');
      expect(error.message, JSON.stringify(input)).toMatch(names);
    }
    expect(errorOf(await call('stack:restartService', { service: 'kafka-9' })).message).toMatch(/kafka-1/);
    expect(errorOf(await call('no:such-call')).code).toBe('UNKNOWN_CALL');
    const after = resultOf(await call<ProducerStatus>('producer:status')).params;
    expect(after).toEqual(before);
    const changed = Object.keys(before).filter(
      (k) => before[k as keyof typeof before] !== after[k as keyof typeof after],
    ).length;
    report('6a bad parameters', { rejected: cases.length + 2, parametersChanged: changed });
  });

  it('a stack file with an error: Start reports the file and the problem, and the core keeps answering', async () => {
    const dir = mkdtempSync(`${tmpdir()}/walkstream-broken-`);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(`${repoDir}stack`, `${dir}/stack`, { recursive: true });
    const composeFile = `${dir}/stack/compose.yaml`;
    writeFileSync(
      composeFile,
      readFileSync(composeFile, 'utf8').replace('  influxdb:\n    image:', '  influxdb:\n    imag:'),
    );
    // Free ports, so the pre-flight check passes and Compose itself meets the error.
    const envFile = `${dir}/.env`;
    writeFileSync(
      envFile,
      readFileSync(stackEnv.envFile, 'utf8')
        .replace(/^(KAFKA_\d_PORT|INFLUXDB_PORT|GRAFANA_PORT|KAFKA_UI_PORT|TELEGRAF_METRICS_PORT)=.*$/gm, '')
        .concat(
          '\nKAFKA_1_PORT=39092\nKAFKA_2_PORT=39094\nKAFKA_3_PORT=39096\nINFLUXDB_PORT=38086\nGRAFANA_PORT=33000\nKAFKA_UI_PORT=38080\nTELEGRAF_METRICS_PORT=39273\n',
        ),
    );
    const { call } = await serveCore({
      stackDir: `${dir}/stack`,
      envFile,
      project: `${stackEnv.project}-broken`,
      extraComposeFiles: [],
    });
    const error = errorOf(await call('stack:up'));
    expect(error.code).toBe('COMPOSE_FAILED');
    expect(error.message).toMatch(/imag/);
    expect(error.message).toMatch(/influxdb/);
    const status = resultOf(await call<StackStatus>('stack:status'));
    expect(status.state).toBe('error');
    expect(status.error?.message).toBe(error.message);
    report('6b broken stack file', { message: error.message.slice(0, 160) });
  });

  it('the Docker socket disappearing while the pipeline runs: Docker shown unavailable, the producer keeps going, all back when it returns', async () => {
    const socketPath = `${mkdtempSync(`${tmpdir()}/walkstream-dock-`)}/docker.sock`;
    const proxy = await socketRelay(socketPath, '/var/run/docker.sock');
    cleanups.push(() => proxy.down());
    const { call } = await serveCore({ dockerSocket: socketPath });
    const healthy = (s: StackStatus) =>
      s.dockerAvailable && s.services.some((x) => x.service === 'kafka-1' && x.state === 'running');
    await waitUntil(
      'stack seen through the proxy',
      async () => resultOf(await call<StackStatus>('stack:status')),
      healthy,
      30_000,
    );
    resultOf(await call('producer:setParams', { walks: 3, rate: 20 }));
    resultOf(await call('producer:start'));
    cleanups.push(async () => void (await call('producer:stop')));
    await waitUntil(
      'producer running',
      async () => resultOf(await call<ProducerStatus>('producer:status')),
      (s) => (s.metrics?.pointsProduced ?? 0) > 0,
      60_000,
    );

    const goneAt = Date.now();
    await proxy.down();
    const gone = await waitUntil(
      'Docker shown unavailable',
      async () => resultOf(await call<StackStatus>('stack:status')),
      (s) => !s.dockerAvailable,
      30_000,
      250,
    );
    const noticedMs = Date.now() - goneAt;
    expect(gone.error?.code).toMatch(/^DOCKER_(NOT_RUNNING|UNAVAILABLE)$/);
    // It says where it looked: the socket the core was given.
    expect(gone.error?.message).toContain(socketPath);
    // Starting the stack without Docker fails with the same clear reason, not a crash.
    expect(errorOf(await call('stack:up')).code).toMatch(/DOCKER/);
    const producedWhileGone =
      resultOf(await call<ProducerStatus>('producer:status')).metrics?.pointsProduced ?? 0;
    const keptProducing = await waitUntil(
      'the producer keeps producing without Docker (it talks to Kafka)',
      async () => resultOf(await call<ProducerStatus>('producer:status')),
      (s) => s.state === 'running' && (s.metrics?.pointsProduced ?? 0) > producedWhileGone,
      30_000,
    );

    const backAt = Date.now();
    await proxy.up();
    const back = await waitUntil(
      'Docker back',
      async () => resultOf(await call<StackStatus>('stack:status')),
      healthy,
      30_000,
      250,
    );
    expect(back.error).toBeNull();
    expect(resultOf(await call<ProducerStatus>('producer:status')).params).toMatchObject({
      walks: 3,
      rate: 20,
    });
    report('6c Docker socket gone', {
      noticedAfterMs: noticedMs,
      recoveredAfterMs: Date.now() - backAt,
      pointsProducedWithoutDocker: (keptProducing.metrics?.pointsProduced ?? 0) - producedWhileGone,
    });
  });
});
