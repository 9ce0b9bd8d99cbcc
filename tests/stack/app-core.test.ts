import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_SERVICES, type StackStatus } from '../../core/contract/data';
import type { Core } from '../../core/create-core';
import { SettingsStore } from '../../core/settings/settings-store';
import { runPreflight } from '../../core/stack/preflight';
import { createTestCore, flux, stackEnv, waitUntil } from './stack-env';

const run = promisify(execFile);
let core: Core;
let settingsPath: string;
let dispose: () => Promise<void>;
const statuses: StackStatus[] = [];

beforeAll(() => {
  ({ core, settingsPath, dispose } = createTestCore());
  core.hub.subscribe('stack:status', (s) => statuses.push(s));
});
afterAll(async () => {
  await dispose();
});

const call = async <T>(name: string, input?: unknown): Promise<T> => {
  const reply = await core.router.call(name, input);
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.result as T;
};

const serviceOf = (s: StackStatus, name: string) => s.services.find((x) => x.service === name);

describe('app core against the real Docker Engine and stack', () => {
  it('reports every service of the running stack healthy, and the ones without a local image as not available', async () => {
    // `up` on the running project is what the app does on Start: it must succeed and change nothing.
    const s = await call<StackStatus>('stack:up');
    expect(s.state).toBe('running');
    for (const name of PIPELINE_SERVICES) {
      expect(serviceOf(s, name)).toMatchObject({ state: 'running', health: 'healthy' });
    }
    expect(serviceOf(s, 'grafana')?.state).toBe('not-available');
    expect(serviceOf(s, 'kafka-1')?.ports).toContainEqual(expect.objectContaining({ host: '127.0.0.1' }));
  });

  it('sees a container killed from outside as exited within 2 s through the event stream, and restarts it', async () => {
    const before = await call<StackStatus>('stack:status');
    const id = serviceOf(before, 'telegraf')?.containerId as string;
    statuses.length = 0;
    const killedAt = Date.now();
    await run(stackEnv.docker, ['kill', id]);
    const seen = await waitUntil(
      'telegraf shown as exited',
      async () => statuses.find((s) => serviceOf(s, 'telegraf')?.state === 'exited'),
      (s) => s !== undefined,
      5_000,
      20,
    );
    expect((seen as StackStatus).updatedAt - killedAt).toBeLessThanOrEqual(2_000);
    expect(seen?.state).toBe('degraded');
    await call('stack:restartService', { service: 'telegraf' });
    await waitUntil(
      'telegraf healthy again',
      () => call<StackStatus>('stack:status'),
      (s) => serviceOf(s, 'telegraf')?.health === 'healthy',
      60_000,
    );
  });

  it('returns the last log lines of a service', async () => {
    const logs = await call<{ lines: string[] }>('stack:logs', { service: 'telegraf', lines: 50 });
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.lines.length).toBeLessThanOrEqual(50);
    expect(logs.lines.join('\n')).toMatch(/Loaded (inputs|outputs)|Starting Telegraf/);
  });

  it('rejects an unknown service by name and restarts no container', async () => {
    // A restart would give a container a new start time (or a new container).
    const containers = (s: StackStatus) =>
      s.services.map((x) => ({ service: x.service, id: x.containerId, startedAt: x.startedAt }));
    const before = containers(await call<StackStatus>('stack:status'));
    const reply = await core.router.call('stack:restartService', { service: 'zookeeper' });
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('service') },
    });
    expect(containers(await call<StackStatus>('stack:status'))).toEqual(before);
  });

  it('pre-flight names a taken host port by number', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const port = (holder.address() as import('node:net').AddressInfo).port;
    try {
      await expect(
        runPreflight({
          engine: async () => ({ name: 'Docker Engine', memTotalBytes: 2 ** 40 }),
          findCli: async () => {},
          ports: [{ port, purpose: 'Grafana' }],
          requiredMemoryBytes: 1,
        }),
      ).rejects.toMatchObject({ code: 'PORT_TAKEN', message: expect.stringContaining(`Port ${port}`) });
    } finally {
      holder.close();
    }
  });

  it('shows 3 brokers and RF 3 / ISR 3, then moving offsets and a consumer lag under 1.5 s of data, while the producer runs', async () => {
    const stats0 = await core.kafkaStats.poll();
    expect(stats0.reachable).toBe(true);
    expect(stats0.brokers.filter((b) => b.up).map((b) => b.nodeId)).toEqual([1, 2, 3]);
    expect(stats0.controller).not.toBeNull();

    await call('producer:setParams', { walks: 5, rate: 20, seed: 7 });
    const started = await call<{ state: string }>('producer:start');
    expect(started.state).toBe('running');
    const moving = await waitUntil(
      'produce rate above zero',
      () => core.kafkaStats.poll(),
      (s) => s.messagesPerSecond > 0 && s.partitions.length === 6,
      30_000,
      1_000,
    );
    for (const p of moving.partitions) {
      expect(p.replicas).toHaveLength(3);
      expect(p.isr).toHaveLength(3);
    }
    expect(moving.underReplicated).toBe(0);
    // Telegraf commits its offsets once a second, so a keeping-up consumer still lags by up to a
    // second of data; a count of messages would depend on the rate (and on when the poll lands).
    await waitUntil(
      'consumer lag under 1.5 s of data',
      () => core.kafkaStats.poll(),
      (s) => s.lagSeconds !== null && s.lagSeconds < 1.5,
      30_000,
      1_000,
    );
  });

  it('streams the preview: the points the producer wrote, with freshness', async () => {
    const live = await waitUntil(
      'preview series for walk w0000',
      () => core.preview.refresh(),
      (u) => (u.series.find((s) => s.walk === 'w0000')?.points.length ?? 0) >= 3,
      30_000,
      1_000,
    );
    expect(live.series.find((s) => s.walk === 'w0000')?.freshnessMs).toBeLessThan(5_000);
    const stopped = await call<{ state: string; metrics: { queuedPoints: number } }>('producer:stop');
    expect(stopped.state).toBe('stopped');
    expect(stopped.metrics.queuedPoints).toBe(0);

    // Once everything is stored, the preview's values are values InfluxDB holds for that walk.
    await waitUntil(
      'consumer lag zero',
      () => core.kafkaStats.poll(),
      (s) => s.totalLag === 0,
      30_000,
      1_000,
    );
    const stored = await flux<{ _value: number }>(`from(bucket: "${stackEnv.influxBucket}")
  |> range(start: -2m)
  |> filter(fn: (r) => r._measurement == "random_walk" and r.walk == "w0000" and r._field == "value")`);
    const storedValues = new Set(stored.map((r) => r._value));
    const update = await core.preview.refresh();
    const series = update.series.find((s) => s.walk === 'w0000');
    expect(series?.lastValue).toBe(stored.at(-1)?._value);
    expect(series?.points.length).toBeGreaterThan(0);
    for (const p of series?.points ?? []) expect(storedValues.has(p.v)).toBe(true);
  });

  it('persists the walk parameters set over the API in the settings file', async () => {
    // Read back from disk by a store of its own, as the next start of the app reads it.
    expect(new SettingsStore(settingsPath).get().params).toMatchObject({ walks: 5, rate: 20, seed: 7 });
  });
});
