import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { StackStatus } from '../contract/data';
import { WalkstreamError } from '../contract/errors';
import { EventHub } from '../events/event-hub';
import { StackService, type StackServiceOptions } from './stack-service';

/** A Docker engine holding one telegraf container whose state the test sets. */
function fakeDocker() {
  const streams: PassThrough[] = [];
  const fake = {
    streams,
    state: 'running',
    docker: {
      getEvents: async () => {
        const s = new PassThrough();
        streams.push(s);
        return s;
      },
      listContainers: async () => [{ Id: 'c1', Labels: { 'com.docker.compose.service': 'telegraf' } }],
      getContainer: () => ({
        inspect: async () => ({
          Id: 'c1',
          State: {
            Status: fake.state,
            Running: fake.state === 'running',
            StartedAt: '2026-01-01T00:00:00Z',
            Health: { Status: 'healthy' },
          },
          RestartCount: 0,
          NetworkSettings: { Ports: {} },
          Config: { Image: 'telegraf:1.40.1' },
        }),
      }),
    },
  };
  return fake;
}

function stackService(over: Partial<StackServiceOptions> = {}) {
  const hub = new EventHub();
  const published: StackStatus[] = [];
  hub.subscribe('stack:status', (s) => published.push(s));
  const fake = fakeDocker();
  const svc = new StackService({
    docker: () => fake.docker as never,
    cli: async () => ({ path: '/bin/true', env: process.env }),
    project: 'p',
    stackDir: '/tmp',
    composeFiles: () => [],
    hub,
    preflight: async () => {},
    reconnectDelayMs: 10,
    ...over,
  });
  return { svc, fake, published };
}

const dir = mkdtempSync(join(tmpdir(), 'ws-stack-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A docker CLI that fails as Compose does: a few lines on stderr, exit 1. */
function failingCli(stderr: string): StackServiceOptions['cli'] {
  const path = join(dir, `docker-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, `#!/bin/sh\nprintf '%s' '${stderr}' >&2\nexit 1\n`);
  chmodSync(path, 0o755);
  return async () => ({ path, env: process.env });
}

describe('StackService with a fake Docker', () => {
  it('follows the event stream, refreshing on each event, and reconnects when it drops', async () => {
    const { svc, fake, published } = stackService();
    const telegraf = () => published.map((s) => s.services.find((x) => x.service === 'telegraf')?.state);
    svc.init();
    await vi.waitFor(() => expect(fake.streams.length === 1 && telegraf().includes('running')).toBe(true), {
      timeout: 10_000,
    });
    fake.state = 'exited';
    fake.streams[0]?.write(JSON.stringify({ status: 'die', id: 'c1' }));
    await vi.waitFor(() => expect(telegraf().at(-1)).toBe('exited'), { timeout: 10_000 });
    fake.streams[0]?.end();
    await vi.waitFor(() => expect(fake.streams).toHaveLength(2), { timeout: 10_000 });
    await svc.close();
  });

  it('refuses a second lifecycle step while one runs, and publishes its progress', async () => {
    let finishPreflight: () => void = () => {};
    const { svc, published } = stackService({
      preflight: () => new Promise<void>((resolve) => (finishPreflight = resolve)),
    });
    const starting = svc.up();
    await expect(svc.down(false)).rejects.toMatchObject({ code: 'STACK_BUSY', retriable: true });
    await vi.waitFor(() => expect(published.map((s) => s.state)).toContain('starting'), { timeout: 10_000 });
    finishPreflight();
    await expect(starting).resolves.toMatchObject({ state: 'running', error: null });
    expect(published.at(-1)?.state).toBe('running');
  });

  it('shows a failed start as the stack error: a pre-flight refusal as it is, a Compose failure by its stderr', async () => {
    const refusal = new WalkstreamError('PORT_TAKEN', 'Port 8086 (InfluxDB) is taken.');
    const { svc } = stackService({ preflight: () => Promise.reject(refusal) });
    await expect(svc.up()).rejects.toBe(refusal);
    expect((await svc.status()).error).toMatchObject({ code: 'PORT_TAKEN', message: refusal.message });

    const compose = stackService({
      cli: failingCli('pulling\nservice "influxdb" has neither an image nor a build\n'),
    });
    await expect(compose.svc.up()).rejects.toMatchObject({
      code: 'COMPOSE_FAILED',
      message: 'Could not start the stack: pulling / service "influxdb" has neither an image nor a build',
    });
    expect((await compose.svc.status()).error?.code).toBe('COMPOSE_FAILED');
  });
});
