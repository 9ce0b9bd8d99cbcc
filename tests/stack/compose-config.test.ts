import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderDashboards } from '../../stack/grafana/dashboards-src/generate';
import { compose, composeCommand, repoDir, stackEnv } from './stack-env';

const run = promisify(execFile);

interface Service {
  image?: string;
  environment?: Record<string, string>;
  ports?: { target: number; published: string; host_ip?: string }[];
  healthcheck?: { test: string[] };
  restart?: string;
  mem_limit?: string | number;
  depends_on?: Record<string, { condition: string }>;
  volumes?: { type: string; source: string; target: string; read_only?: boolean }[];
  profiles?: string[];
  pull_policy?: string;
  build?: { args?: Record<string, string> };
}

/** The model exactly as the real Compose implementation loads it, without the test override. */
async function loadModel(...extra: string[]): Promise<{ services: Record<string, Service> }> {
  const { stdout } = await run(stackEnv.docker, [
    ...composeCommand(['compose.yaml']),
    '--profile',
    'headless',
    ...extra,
    'config',
    '--format',
    'json',
  ]);
  return JSON.parse(stdout);
}

const kafkaServices = ['kafka-1', 'kafka-2', 'kafka-3'];
const controllerServices = ['kafka-controller-1', 'kafka-controller-2', 'kafka-controller-3'];

function versionsEnv(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(`${repoDir}stack/local-images/build/versions.env`, 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=') as [string, string]),
  );
}

describe('stack/compose.yaml, as loaded by the real Compose CLI', () => {
  it('validates (config --quiet)', async () => {
    await expect(
      run(stackEnv.docker, [
        'compose',
        '--env-file',
        stackEnv.envFile,
        '-f',
        `${repoDir}stack/compose.yaml`,
        'config',
        '--quiet',
      ]),
    ).resolves.toBeDefined();
  });

  it('refuses to load without stack/.env (as `up` does first), saying what to run', async () => {
    const err = await run(
      stackEnv.docker,
      ['compose', '--env-file', '/dev/null', '-f', `${repoDir}stack/compose.yaml`, 'config', '--quiet'],
      {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      },
    ).catch((e: Error & { stderr: string }) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { stderr: string }).stderr).toContain('run stack/init-env.sh');
  });

  it('pins every image to an exact version', async () => {
    const { services } = await loadModel();
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, name).toMatch(/:[vV]?\d+\.\d+\.\d+$/);
    }
  });

  it('pins the same versions the local test images are built at (stack/local-images/build/versions.env)', async () => {
    const versions = versionsEnv();
    const { services } = await loadModel();
    const local = (await loadModel('-f', `${repoDir}stack/local-images/compose.local.yaml`)).services;
    const pairs: [string, string, string][] = [
      ['kafka-1', 'apache/kafka', versions.KAFKA_VERSION as string],
      ['telegraf', 'telegraf', versions.TELEGRAF_VERSION as string],
      ['influxdb', 'influxdb', versions.INFLUXDB_VERSION as string],
    ];
    for (const [service, image, version] of pairs) {
      expect(services[service]?.image).toBe(`${image}:${version}`);
      expect(local[service]?.image).toBe(`walkstream-local/${image.split('/').at(-1)}:${version}`);
    }
  });

  it('builds the producer on the Node release the local node image is built at, and never pulls it', async () => {
    const nodeVersion = versionsEnv().NODE_VERSION as string;
    const dockerfile = readFileSync(`${repoDir}producer/Dockerfile`, 'utf8');
    expect(/^ARG BASE_IMAGE=(.*)$/m.exec(dockerfile)?.[1]).toBe(`node:${nodeVersion}-bookworm-slim`);
    const local = (await loadModel('-f', `${repoDir}stack/local-images/compose.local.yaml`)).services;
    expect(local.producer?.build?.args?.BASE_IMAGE).toBe(
      `walkstream-local/node:${nodeVersion.split('.')[0]}`,
    );
    // A name no registry serves, and `docker compose pull` skips it: only this checkout's build runs.
    const { services } = await loadModel();
    expect(services.producer?.image).toMatch(/^walkstream-local\/producer:/);
    expect(services.producer?.pull_policy).toBe('build');
  });

  it('gives every long-running service a healthcheck, a restart policy and a memory limit, and binds ports to 127.0.0.1', async () => {
    const { services } = await loadModel();
    for (const [name, s] of Object.entries(services)) {
      expect(Number(s.mem_limit), `${name} mem_limit`).toBeGreaterThan(0);
      if (name === 'kafka-init') {
        // The one-shot topic creation: runs once, is waited for by Telegraf, never restarts.
        expect(s.restart).toBe('no');
        expect(services.telegraf?.depends_on?.['kafka-init']?.condition).toBe(
          'service_completed_successfully',
        );
        continue;
      }
      expect(s.healthcheck?.test?.length, `${name} healthcheck`).toBeGreaterThan(0);
      expect(s.restart, `${name} restart`).toBe('unless-stopped');
      expect(Number(s.mem_limit), `${name} mem_limit`).toBeGreaterThan(0);
      for (const p of s.ports ?? []) expect(p.host_ip, `${name} port ${p.target}`).toBe('127.0.0.1');
    }
    // The total the README states and the app's pre-flight memory check uses.
    const total = Object.values(services).reduce((a, s) => a + Number(s.mem_limit), 0);
    expect(total).toBe(7808 * 2 ** 20);
  });

  it('wires the brokers and the controllers consistently: node ids, quorum voters, listeners, cluster id', async () => {
    const { services } = await loadModel();
    const envOf = (n: string) => services[n]?.environment ?? {};
    const voters = envOf('kafka-1').KAFKA_CONTROLLER_QUORUM_VOTERS;
    const ids = new Set<string>();
    const nodeIds = new Set<string>();
    // Every node, broker or controller: one cluster, the same quorum, the same replication rules
    // (the controllers create topics and elect leaders, so the rules must be theirs too).
    for (const name of [...controllerServices, ...kafkaServices]) {
      const env = envOf(name);
      ids.add(env.CLUSTER_ID as string);
      nodeIds.add(env.KAFKA_NODE_ID as string);
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(voters);
      expect(env.KAFKA_MIN_INSYNC_REPLICAS).toBe('2');
      expect(env.KAFKA_DEFAULT_REPLICATION_FACTOR).toBe('3');
      expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('3');
      expect(env.KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE).toBe('false');
    }
    // The quorum is the three controllers, and only they listen as controllers: a broker that
    // voted would take the quorum down with it when frozen.
    for (const name of controllerServices) {
      const env = envOf(name);
      expect(env.KAFKA_PROCESS_ROLES).toBe('controller');
      expect(voters).toContain(`${env.KAFKA_NODE_ID}@${name}:9093`);
      expect(env.KAFKA_LISTENERS).toBe('CONTROLLER://:9093');
      expect(env.KAFKA_ADVERTISED_LISTENERS).toBeUndefined();
      expect(services[name]?.ports ?? []).toEqual([]);
    }
    for (const name of kafkaServices) {
      const env = envOf(name);
      expect(env.KAFKA_PROCESS_ROLES).toBe('broker');
      expect(env.KAFKA_LISTENERS).not.toContain('CONTROLLER');
      expect(env.KAFKA_ADVERTISED_LISTENERS).toContain(`INTERNAL://${name}:19092`);
      const external = /EXTERNAL:\/\/localhost:(\d+)/.exec(env.KAFKA_ADVERTISED_LISTENERS as string)?.[1];
      expect(env.KAFKA_LISTENERS).toContain(`EXTERNAL://:${external}`);
      expect(services[name]?.ports?.map((p) => [String(p.target), p.published])).toEqual([
        [external, external],
      ]);
    }
    expect(ids.size).toBe(1);
    expect(nodeIds.size).toBe(6);
    expect(voters?.split(',')).toHaveLength(3);
    const internal = kafkaServices.map((n) => `${n}:19092`);
    expect(envOf('kafka-ui').KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS?.split(',')).toEqual(internal);
    expect(envOf('producer').WALKSTREAM_BROKERS?.split(',')).toEqual(internal);
    const telegrafConf = readFileSync(`${repoDir}stack/telegraf/telegraf.conf`, 'utf8');
    const brokers = /brokers = \[([^\]]*)\]/
      .exec(telegrafConf)?.[1]
      ?.match(/"([^"]+)"/g)
      ?.map((b) => b.slice(1, -1));
    expect(brokers).toEqual(internal);
    // Telegraf's broker probes (inputs.net_response) knock on the same listeners.
    const probed = [...telegrafConf.matchAll(/^\s*address = "([^"]+)"/gm)].map((m) => m[1]);
    expect(probed).toEqual(internal);
  });

  it('shares one InfluxDB token, org and bucket between InfluxDB, Telegraf and Grafana', async () => {
    const { services } = await loadModel();
    const influx = services.influxdb?.environment ?? {};
    for (const consumer of ['telegraf', 'grafana']) {
      const env = services[consumer]?.environment ?? {};
      expect(env.INFLUX_TOKEN, consumer).toBe(influx.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN);
      expect(env.INFLUX_ORG, consumer).toBe(influx.DOCKER_INFLUXDB_INIT_ORG);
      expect(env.INFLUX_BUCKET, consumer).toBe(influx.DOCKER_INFLUXDB_INIT_BUCKET);
    }
    expect(influx.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN?.length).toBeGreaterThanOrEqual(32);
    expect(services.telegraf?.environment?.INFLUX_URL).toBe('http://influxdb:8086');
    expect(services.influxdb?.ports?.[0]?.target).toBe(8086);
    for (const dep of [...kafkaServices, 'influxdb']) {
      expect(services.telegraf?.depends_on?.[dep]?.condition).toBe('service_healthy');
    }
  });

  it('provisions Grafana with a datasource that points at the influxdb service and that every panel uses', async () => {
    const ds = parseYaml(
      readFileSync(`${repoDir}stack/grafana/provisioning/datasources/influxdb.yaml`, 'utf8'),
    );
    const source = ds.datasources[0];
    expect(source.url).toBe('http://influxdb:8086');
    expect(source.jsonData.version).toBe('Flux');
    const providers = parseYaml(
      readFileSync(`${repoDir}stack/grafana/provisioning/dashboards/walkstream.yaml`, 'utf8'),
    );
    const { services } = await loadModel();
    const mounts = services.grafana?.volumes ?? [];
    expect(mounts.find((m) => m.target === providers.providers[0].options.path)?.source).toMatch(
      /grafana\/dashboards$/,
    );
    const rendered = renderDashboards();
    expect(Object.keys(rendered).sort()).toEqual(['pipeline-health.json', 'random-walks.json']);
    for (const json of Object.values(rendered)) {
      const d = JSON.parse(json) as { panels: { targets?: { datasource: { uid: string } }[] }[] };
      for (const p of d.panels) for (const t of p.targets ?? []) expect(t.datasource.uid).toBe(source.uid);
    }
  });
});

describe('stack/telegraf/telegraf.conf', () => {
  const telegraf = `${process.env.WS_BIN}/telegraf-${versionsEnv().TELEGRAF_VERSION}`;
  const env = {
    PATH: process.env.PATH ?? '',
    INFLUX_URL: 'http://influxdb:8086',
    INFLUX_TOKEN: 'x',
    INFLUX_ORG: 'walkstream',
    INFLUX_BUCKET: 'walks',
    KAFKA_TOPIC: 'random-walks',
  };

  it('loads in the real Telegraf binary of the pinned version (config check)', async () => {
    const { stdout, stderr } = await run(
      telegraf,
      ['config', 'check', '--config', `${repoDir}stack/telegraf/telegraf.conf`],
      { env },
    );
    expect(`${stdout}${stderr}`).not.toMatch(/error/i);
  });

  it('is a check that can fail: a misspelt option is rejected', async () => {
    // The setting itself, not a comment that names it.
    const bad = readFileSync(`${repoDir}stack/telegraf/telegraf.conf`, 'utf8').replace(
      /^(\s*)max_undelivered_messages =/m,
      '$1max_undelivered_mesages =',
    );
    expect(bad).toContain('max_undelivered_mesages =');
    const dir = mkdtempSync(`${tmpdir()}/telegraf-`);
    writeFileSync(`${dir}/bad.conf`, bad);
    const err = await run(telegraf, ['config', 'check', '--config', `${dir}/bad.conf`], { env }).catch(
      (e: Error) => e,
    );
    rmSync(dir, { recursive: true });
    expect(err).toBeInstanceOf(Error);
    expect(String((err as { stderr?: string }).stderr)).toContain('max_undelivered_mesages');
  });
});

describe('the running stack', () => {
  it('runs telegraf.conf in the real Telegraf with every plugin loaded', async () => {
    const logs = await compose('logs', '--no-color', 'telegraf');
    expect(logs).toMatch(
      /Loaded inputs: .*internal.*kafka_consumer|Loaded inputs: .*kafka_consumer.*internal/,
    );
    expect(logs).toMatch(/Loaded outputs: .*health.*influxdb_v2|Loaded outputs: .*influxdb_v2.*health/);
    expect(logs).toMatch(/Loaded inputs: .*net_response/);
  });

  it('reports every service of the local stack healthy', async () => {
    const ps = (await compose('ps', '--format', 'json'))
      .trim()
      .split('\n')
      .flatMap(
        (l) => JSON.parse(l) as { Service: string; Health: string } | { Service: string; Health: string }[],
      );
    const health = Object.fromEntries(ps.map((c) => [c.Service, c.Health]));
    expect(health).toEqual({
      'kafka-1': 'healthy',
      'kafka-2': 'healthy',
      'kafka-3': 'healthy',
      'kafka-controller-1': 'healthy',
      'kafka-controller-2': 'healthy',
      'kafka-controller-3': 'healthy',
      influxdb: 'healthy',
      telegraf: 'healthy',
    });
  });
});
