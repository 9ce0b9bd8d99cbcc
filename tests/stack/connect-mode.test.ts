/**
 * Connect mode ("your own cluster") against real servers: a single-node Kafka with a SASL_SSL
 * listener (our CA, a SCRAM-SHA-512 user; secure-broker.ts) beside the test stack, and the test
 * stack's InfluxDB with its admin token and a read-only one. The app core runs under a Compose
 * project of its own that has no containers, so anything it started would show.
 *
 * Each bad setting must stop Start with an error naming the cause and the setting, before anything
 * starts: the producer stays idle and the topic is not even created on the cluster. The good
 * settings must produce, fill the Kafka panel and the chart. Nothing bridges the user's Kafka to
 * their InfluxDB here (that is their Telegraf), so the test copies the topic into InfluxDB itself.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ApiInput } from '../../core/contract/api';
import type { KafkaStats, PreviewUpdate, ProducerStatus } from '../../core/contract/data';
import { readOnlyInfluxToken, type SecureBroker, startSecureBroker } from './secure-broker';
import { createTestCore, flux, scratchBucket, stackEnv, waitUntil } from './stack-env';

let broker: SecureBroker;
let readOnlyToken: string;
let t: ReturnType<typeof createTestCore>;
let good: ApiInput<'connection:update'>;

async function call(name: string, input?: unknown): Promise<unknown> {
  const reply = await t.core.router.call(name, input);
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), reply.error);
  return reply.result;
}

/** A port nothing listens on: bound once by us, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** How many walk points (and distinct walk/seq pairs) the bucket holds from `from` on. */
async function countSince(bucket: string, from: string): Promise<{ count: number; distinct: number }> {
  const rows = await flux<{ walk: string; _value: number }>(`from(bucket: "${bucket}")
  |> range(start: ${from})
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "seq")
  |> group()
  |> keep(columns: ["walk", "_value"])`);
  return { count: rows.length, distinct: new Set(rows.map((r) => `${r.walk}:${r._value}`)).size };
}

function secureKafka(): Kafka {
  return new Kafka({
    clientId: 'walkstream-connect-test',
    brokers: [broker.bootstrap],
    ssl: { ca: [readFileSync(broker.caFile, 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username: broker.username, password: broker.password },
    logLevel: logLevel.NOTHING,
  });
}

async function topicsOnCluster(): Promise<string[]> {
  const admin = secureKafka().admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  broker = await startSecureBroker(Number(process.env.KAFKA_1_PORT ?? 29092) + 100);
  readOnlyToken = await readOnlyInfluxToken();
  // The bridge's Telegraf listens on the host's network beside the test stack's own: a port of its own.
  const envDir = mkdtempSync(join(tmpdir(), 'walkstream-connect-env-'));
  const envFile = join(envDir, '.env');
  writeFileSync(
    envFile,
    `${readFileSync(stackEnv.envFile, 'utf8')}\nTELEGRAF_METRICS_PORT=${await freePort()}\n`,
  );
  t = createTestCore({ project: `${stackEnv.project}-connect`, envFile });
  good = {
    mode: 'connect',
    kafka: {
      bootstrapServers: [broker.bootstrap],
      sasl: 'scram-sha-512',
      username: broker.username,
      password: broker.password,
      tls: true,
      caFile: broker.caFile,
    },
    influx: {
      url: stackEnv.influxUrl,
      org: stackEnv.influxOrg,
      bucket: stackEnv.influxBucket,
      token: stackEnv.influxToken,
    },
  };
});

afterAll(async () => {
  await call('producer:stop').catch(() => {});
  await t?.dispose();
  await broker?.remove();
});

describe('connect mode refuses bad settings before anything starts', () => {
  const cases: [string, () => ApiInput<'connection:update'>, string, string, RegExp][] = [
    [
      'a wrong password',
      () => ({ kafka: { password: 'not-the-password' } }),
      'KAFKA_AUTH_FAILED',
      'kafka.password',
      /Kafka rejected the SASL login \(SCRAM-SHA-512\) for user 'walker': check Username\/Password/,
    ],
    [
      'an unknown CA',
      () => ({ kafka: { caFile: '' } }),
      'KAFKA_TLS_UNTRUSTED',
      'kafka.caFile',
      /signed by a CA this machine does not trust .*: set CA file/,
    ],
    [
      'a hostname the certificate does not name',
      () => ({ kafka: { bootstrapServers: [`127.0.0.1:${broker.port}`] } }),
      'KAFKA_TLS_HOSTNAME',
      'kafka.bootstrapServers',
      /not issued for the name you connect to .*127\.0\.0\.1.*: in Bootstrap servers/,
    ],
    [
      'an unreachable bootstrap server',
      () => ({ kafka: { bootstrapServers: [`localhost:${unreachablePort}`] } }),
      'KAFKA_UNREACHABLE',
      'kafka.bootstrapServers',
      /No Kafka broker answered at localhost:\d+ \(connect ECONNREFUSED .*\): check Bootstrap servers/,
    ],
    [
      'an InfluxDB token without write rights',
      () => ({ influx: { token: readOnlyToken } }),
      'INFLUX_NO_WRITE',
      'influx.token',
      /token may not write to bucket ".*" \(403 insufficient permissions for write\): check Token/,
    ],
  ];
  let unreachablePort = 0;
  beforeAll(async () => {
    unreachablePort = await freePort();
  });

  it.each(cases)('%s', async (_label, bad, code, setting, message) => {
    await call('connection:update', good);
    await call('connection:update', bad());
    for (const step of ['connection:test', 'stack:up', 'producer:start']) {
      const reply = await t.core.router.call(step, undefined);
      expect(reply.ok, `${step} should refuse`).toBe(false);
      if (reply.ok) continue;
      expect(reply.error).toMatchObject({ code, details: { setting } });
      expect(reply.error.message).toMatch(message);
    }
    expect((await call('producer:status')) as ProducerStatus).toMatchObject({ state: 'idle' });
    // Not half-started: the producer creates its topic first thing, so none means it never ran.
    expect(await topicsOnCluster()).not.toContain('random-walks');
    const local = await t.core.stack.status();
    expect(local.services.filter((s) => s.state === 'running')).toEqual([]);
  });
});

describe('connect mode with good settings', () => {
  it('keeps the secrets out of settings.json and never returns them', async () => {
    const view = JSON.stringify(await call('connection:update', good));
    expect(view).not.toContain(broker.password);
    expect(view).not.toContain(stackEnv.influxToken);
    expect(JSON.parse(view)).toMatchObject({
      secrets: { kafkaPassword: 'set', influxToken: 'set' },
      secretStore: { kind: 'file' },
    });
    const settingsFile = readFileSync(t.settingsPath, 'utf8');
    expect(settingsFile).toContain(broker.bootstrap);
    expect(settingsFile).not.toContain(broker.password);
    expect(settingsFile).not.toContain(stackEnv.influxToken);
    const secretsFile = join(dirname(t.settingsPath), 'secrets.json');
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
  });

  it('produces into the cluster; the Kafka panel and the chart read it through the connect settings', async () => {
    await call('connection:update', good);
    expect(await call('connection:test')).toMatchObject({ kafka: { brokers: 1 } });
    await call('stack:up');
    await call('producer:setParams', { walks: 3, rate: 20 });
    await call('producer:start');
    await waitUntil(
      'the producer has sent points',
      async () => (await call('producer:status')) as ProducerStatus,
      (s) => (s.metrics?.pointsProduced ?? 0) > 50,
      60_000,
    );
    const stats = await waitUntil(
      'the Kafka panel shows the topic filling',
      async () => (await call('kafka:stats')) as KafkaStats,
      // Up also by the panel's own TLS probe of each broker, not only by metadata.
      (s) =>
        s.reachable && s.brokers.every((b) => b.up) && s.partitions.reduce((a, p) => a + p.endOffset, 0) > 0,
      30_000,
    );
    expect(stats.brokers.map((b) => b.nodeId)).toEqual([1]);
    expect(stats.partitions).toHaveLength(6);
    // Created for a one-broker cluster: replication 1, not the local stack's 3.
    expect(stats.partitions.every((p) => p.replicas.length === 1)).toBe(true);

    // The user's Telegraf would do this: the topic's line protocol into their InfluxDB.
    const consumer = secureKafka().consumer({ groupId: `walkstream-connect-test-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: 'random-walks', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const res = await fetch(
          `${stackEnv.influxUrl}/api/v2/write?org=${stackEnv.influxOrg}&bucket=${stackEnv.influxBucket}&precision=ns`,
          {
            method: 'POST',
            headers: { Authorization: `Token ${stackEnv.influxToken}` },
            body: message.value?.toString() ?? '',
          },
        );
        if (!res.ok) throw new Error(`write: ${res.status}`);
      },
    });
    try {
      const chart = await waitUntil(
        'the chart shows the walks',
        async () => {
          await t.core.preview.refresh();
          return (await call('preview:snapshot')) as PreviewUpdate;
        },
        (p) => p.series.length === 3 && p.series.every((s) => s.points.length > 0),
        60_000,
        1_000,
      );
      expect(chart.series.map((s) => s.walk)).toHaveLength(3);
    } finally {
      await consumer.disconnect();
    }
    // Switching back to the local stack now would leave this producer writing to the cluster unseen.
    await expect(call('connection:update', { mode: 'local' })).rejects.toMatchObject({
      code: 'CONNECT_MODE_SWITCH_WHILE_RUNNING',
    });
    await call('producer:stop');
  });

  it("with the bridge on, Start runs the stack's Telegraf alone, which copies the SASL_SSL topic into InfluxDB exactly", async () => {
    const { name: bucket, remove } = await scratchBucket('connect-bridge');
    onTestFinished(() => remove().catch(() => {}));
    await call('connection:update', { ...good, bridge: true, influx: { ...good.influx, bucket } });
    await call('stack:up');
    const local = await t.core.stack.status();
    expect(local.services.filter((s) => s.state === 'running').map((s) => s.service)).toEqual(['telegraf']);
    // Neither secret is in a file the bridge reads: they reach the container through its environment.
    const bridgeDir = join(dirname(t.settingsPath), 'bridge');
    for (const file of ['telegraf-bridge.conf', 'compose.bridge.yaml']) {
      const text = readFileSync(join(bridgeDir, file), 'utf8');
      expect(text).not.toContain(broker.password);
      expect(text).not.toContain(stackEnv.influxToken);
    }

    const from = new Date().toISOString();
    await call('producer:setParams', { walks: 3, rate: 20 });
    await call('producer:start');
    await waitUntil(
      'the producer has sent points',
      async () => (await call('producer:status')) as ProducerStatus,
      (s) => (s.metrics?.pointsProduced ?? 0) >= 90,
      60_000,
    );
    await call('producer:stop');
    const produced = ((await call('producer:status')) as ProducerStatus).metrics?.pointsProduced ?? 0;
    // Counted where the data ends up: every point of this run, once, in the bridge's bucket.
    const stored = await waitUntil(
      "the bridge has written this run's points",
      () => countSince(bucket, from),
      (r) => r.count >= produced,
      60_000,
      1_000,
    );
    expect(stored).toEqual({ count: produced, distinct: produced });
    // The app reads the bridge like the local Telegraf: its metrics on 127.0.0.1.
    const telegraf = await waitUntil(
      "the app reads the bridge's Telegraf",
      async () => t.core.telegrafStats.poll(),
      (s) => s.reachable && (s.writtenPoints ?? 0) >= produced,
      30_000,
    );
    expect(telegraf.droppedPoints).toBe(0);

    await call('stack:down', { removeVolumes: false });
    expect((await t.core.stack.status()).services.filter((s) => s.state !== 'not-available')).toEqual([]);
    await call('connection:update', { bridge: false, influx: { bucket: stackEnv.influxBucket } });
  });

  it('turns the Chaos panel off, with the reason: the cluster is not our containers', async () => {
    const status = t.core.chaos.status();
    expect(Object.keys(status.unavailable).sort()).toEqual(
      [
        'freeze-broker',
        'freeze-controller',
        'kill-broker',
        'pause-telegraf',
        'stop-broker',
        'stop-influxdb',
      ].sort(),
    );
    expect(status.unavailable['kill-broker']).toMatch(
      /your own Kafka and InfluxDB: they are not this app's containers/,
    );
  });
});
