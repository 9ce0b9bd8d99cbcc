/**
 * The composition root: builds every main-process service from the stack directory and the
 * user's settings file, and the one router both transports serve. Electron's main process and
 * the browser-mode server (web-server.ts) both call this; nothing here imports Electron.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InfluxDB } from '@influxdata/influxdb-client';
import { type ApiHandlers, ApiRouter } from './api/api-router';
import { ChaosService } from './chaos/chaos-service';
import { connectionHandlers } from './connect/connection-handlers';
import { ConnectionService } from './connect/connection-service';
import { createSecretStore, type SecretCipher } from './connect/secret-store';
import { BRIDGE_SECRET_ENV, bridgeLayout, writeBridgeFiles } from './connect/telegraf-bridge';
import { CONTROLLER_SERVICES, FAULT_KINDS, NOT_BUILT_LOCALLY, type ServiceName } from './contract/data';
import { WalkstreamError } from './contract/errors';
import { DockerConnection } from './docker/docker-connection';
import { engineUnreachable } from './docker/engine-info';
import { EventHub } from './events/event-hub';
import { FlowService } from './flow/flow-service';
import { KafkaStatsService } from './kafka/kafka-stats-service';
import { stackBrokers, stackLinks } from './links';
import { type FluxRows, PreviewService } from './preview/preview-service';
import { ProducerService } from './producer/producer-service';
import { SettingsStore } from './settings/settings-store';
import type { ComposeExtras } from './stack/compose-cli';
import { composeMemoryLimitBytes, serviceImage } from './stack/compose-memory';
import {
  adoptEnvFile,
  candidateEnvFiles,
  checkDataMatchesSecrets,
  envFileWithClusterId,
} from './stack/data-secrets-check';
import { ensureEnvFile, parseEnvFile } from './stack/env-file';
import { runPreflight } from './stack/preflight';
import { type RuntimeStackSync, syncRuntimeStack } from './stack/runtime-stack';
import { StackService } from './stack/stack-service';
import { TelegrafStatsService } from './telegraf/telegraf-stats-service';

export interface CoreOptions {
  /** The stack folder Compose runs: the repository's stack/, or the per-user copy of an installed app. */
  stackDir: string;
  /**
   * An installed app's own stack files (read-only, in its install folder): laid into `stackDir` at
   * start and whenever `appVersion` brings changed ones. Unset from a source checkout.
   */
  stackSource?: string;
  appVersion?: string;
  /** Other folders an earlier .env may be in, when old data does not match the current secrets. */
  otherEnvDirs?: string[];
  settingsPath: string;
  project?: string;
  /** Extra compose files, e.g. stack/local-images/compose.local.yaml for locally built images. */
  extraComposeFiles?: string[];
  /** Defaults to stack/.env, created with random secrets on first start. */
  envFile?: string;
  /**
   * The Docker engine: an address (unix:///…, tcp://…, npipe://…, ssh://…) or a docker context
   * name. By default the docker CLI's own choice: DOCKER_HOST, DOCKER_CONTEXT, the current context.
   */
  dockerEndpoint?: string;
  /** The docker CLI: a path, or a name to look up in PATH. By default searched for (PATH, then the usual places). */
  dockerCli?: string;
  /** The Docker engine's unix socket: the same as dockerEndpoint unix://<dockerSocket>. */
  dockerSocket?: string;
  /**
   * Encrypts connect mode's secrets with the OS keychain (Electron's safeStorage). Without it
   * (browser mode) they are kept in a file only the user can read.
   */
  secretCipher?: SecretCipher;
}

export interface Core {
  router: ApiRouter;
  hub: EventHub;
  stack: StackService;
  producer: ProducerService;
  kafkaStats: KafkaStatsService;
  telegrafStats: TelegrafStatsService;
  preview: PreviewService;
  chaos: ChaosService;
  flow: FlowService;
  settings: SettingsStore;
  connection: ConnectionService;
  /** Stops the producer (flushing) and every poller; the stack itself is left as it is. */
  shutdown(): Promise<void>;
}

const LITE_LEAVES_OUT: ServiceName[] = ['kafka-2', 'kafka-3', ...CONTROLLER_SERVICES, 'kafka-ui'];
const CONNECT_NO_FAULTS =
  "Connect mode runs on your own Kafka and InfluxDB: they are not this app's containers, so it does not kill, stop or pause them. Switch to the local stack for Chaos.";
const LITE_NO_BROKER_FAULTS =
  'The lite profile runs one Kafka broker: taking it down stops the whole pipeline, so there is no failover to watch. Switch to the full profile (3 brokers) for broker faults.';

const LITE_NO_CONTROLLER_FAULTS =
  'The lite profile has no separate KRaft controllers: its one Kafka node is also the controller. Switch to the full profile (3 controllers) to freeze one.';

export function createCore(opts: CoreOptions): Core {
  const hub = new EventHub();
  // An install folder that cannot be copied is reported at Start, with the folder named.
  let stackSync: RuntimeStackSync | null = null;
  let stackSyncError: unknown = null;
  if (opts.stackSource) {
    try {
      stackSync = syncRuntimeStack({
        sourceDir: opts.stackSource,
        stackDir: opts.stackDir,
        appVersion: opts.appVersion ?? '0.0.0',
      });
    } catch (err) {
      stackSyncError = err;
    }
  }
  const envFile = opts.envFile ?? join(opts.stackDir, '.env');
  const env = (): Record<string, string> =>
    existsSync(envFile)
      ? parseEnvFile(readFileSync(envFile, 'utf8'))
      : parseEnvFile(readFileSync(join(opts.stackDir, '.env.example'), 'utf8'));
  const settings = new SettingsStore(opts.settingsPath);
  const connection = new ConnectionService({
    settings,
    secrets: createSecretStore(dirname(opts.settingsPath), opts.secretCipher),
  });
  // Connect mode: the user's cluster instead of the local stack, for the producer, the Kafka
  // panel and the chart; Compose is never run for it.
  const connected = () => connection.mode() === 'connect';
  const docker = new DockerConnection({
    endpoint: () =>
      settings.get().stack.dockerEndpoint ||
      opts.dockerEndpoint ||
      (opts.dockerSocket ? `unix://${opts.dockerSocket}` : undefined),
    cliPath: () => settings.get().stack.dockerCli || opts.dockerCli,
  });
  const localImagesFile = join(opts.stackDir, 'local-images', 'compose.local.yaml');
  const profile = () => settings.get().stack.profile;
  const composeFiles = () => {
    const files = [join(opts.stackDir, 'compose.yaml')];
    if (profile() === 'lite') files.push(join(opts.stackDir, 'profiles', 'lite.yaml'));
    files.push(...(opts.extraComposeFiles ?? []));
    if (settings.get().stack.localImages && !files.includes(localImagesFile)) files.push(localImagesFile);
    return files;
  };
  const project = opts.project ?? 'walkstream';

  const stack = new StackService({
    docker: () => docker.api(),
    cli: () => docker.cliProcess(),
    project,
    stackDir: opts.stackDir,
    engineUnreachable: (err) => engineUnreachable(err, docker.endpoint()),
    composeFiles,
    envFile,
    profiles: ['headless'],
    hub,
    preflight: async () => {
      if (stackSyncError) throw stackSyncError;
      if (!opts.envFile) ensureEnvFile(opts.stackDir);
      const e = env();
      const running = await stack.status();
      const ownPorts = new Set(running.services.flatMap((s) => s.ports.map((p) => p.hostPort)));
      await runPreflight({
        engine: () => docker.engine(),
        findCli: () => docker.cli(),
        ownPorts,
        requiredMemoryBytes: stackMemoryBytes(composeFiles(), e),
        ports: [
          { port: Number(e.KAFKA_1_PORT ?? 9092), purpose: 'Kafka broker 1' },
          { port: Number(e.KAFKA_2_PORT ?? 9094), purpose: 'Kafka broker 2' },
          { port: Number(e.KAFKA_3_PORT ?? 9096), purpose: 'Kafka broker 3' },
          { port: Number(e.INFLUXDB_PORT ?? 8086), purpose: 'InfluxDB' },
          { port: Number(e.TELEGRAF_METRICS_PORT ?? 9273), purpose: "Telegraf's metrics" },
          { port: Number(e.GRAFANA_PORT ?? 3000), purpose: 'Grafana' },
          { port: Number(e.KAFKA_UI_PORT ?? 8080), purpose: 'Kafka UI' },
        ],
      });
      await checkDataMatchesSecrets({
        docker: docker.api(),
        project,
        kafkaImage: serviceImage(composeFiles(), 'kafka-1') ?? 'apache/kafka',
        env: e,
        envFile,
        stackDir: opts.stackDir,
        otherEnvDirs: opts.otherEnvDirs ?? [],
      });
    },
  });

  const brokers = () => (connected() ? connection.brokers() : stackBrokers(env(), profile()));
  const security = () => (connected() ? connection.kafka().security : undefined);
  const producer = new ProducerService({
    brokers,
    security,
    // A user's cluster may have fewer than the 3 brokers the topic's default replication needs.
    topicReplication: () => {
      const n = connected() ? connection.lastCheck()?.kafka.brokers : undefined;
      return n && n < 3 ? { replicationFactor: n, minInsyncReplicas: 1 } : undefined;
    },
    hub,
    initialParams: settings.get().params,
    onParams: (p) => settings.setParams(p),
  });

  const kafkaStats = new KafkaStatsService({
    brokers,
    // Never throws: its broker probes ask for it outside any error handling. Incomplete settings
    // only leave the panel unable to log in; Test connection and Start name what is missing.
    security: () => {
      try {
        return security();
      } catch {
        return undefined;
      }
    },
    topic: env().WALKSTREAM_TOPIC ?? 'random-walks',
    consumerGroup: 'telegraf-walkstream',
    hub,
  });

  const telegrafStats = new TelegrafStatsService({
    url: () => `http://127.0.0.1:${env().TELEGRAF_METRICS_PORT ?? 9273}/metrics`,
    hub,
  });

  // Built per query from the current stack/.env (it may be created, on first start, after the
  // app) or the connect-mode settings (they may change while the app runs).
  const influxTarget = () => {
    if (connected()) return connection.influx();
    const e = env();
    return {
      url: `http://127.0.0.1:${e.INFLUXDB_PORT ?? 8086}`,
      token: e.INFLUXDB_ADMIN_TOKEN ?? '',
      org: e.INFLUXDB_ORG ?? 'walkstream',
      bucket: e.INFLUXDB_BUCKET ?? 'walks',
    };
  };
  const influx = (timeoutMs: number): FluxRows => ({
    collectRows: (q) => {
      const t = influxTarget();
      return new InfluxDB({ url: t.url, token: t.token, timeout: timeoutMs })
        .getQueryApi(t.org)
        .collectRows(q);
    },
  });
  // Incomplete connect settings: the queries fail (and say why) rather than reading another bucket.
  const bucket = () =>
    connected() ? connection.view().settings.influx.bucket : (env().INFLUXDB_BUCKET ?? 'walks');

  const preview = new PreviewService({
    query: influx(5_000),
    bucket,
    hub,
    walkLimit: () => settings.get().ui.previewWalks,
    runStartedAt: () => producer.status().startedAt,
    tickMs: () => 1000 / producer.status().params.rate,
  });

  const flow = new FlowService({
    hub,
    // Short: while InfluxDB hangs (paused), the strip still refreshes and says so.
    query: influx(2_000),
    bucket,
    headlessProducer: async () =>
      (
        await docker.api().listContainers({
          filters: {
            label: [`com.docker.compose.project=${project}`, 'com.docker.compose.service=producer'],
            status: ['running'],
          },
        })
      ).length > 0,
  });

  const chaos = new ChaosService({
    containers: stack,
    hub,
    unavailable: () =>
      connected()
        ? Object.fromEntries(FAULT_KINDS.map((f) => [f, CONNECT_NO_FAULTS]))
        : profile() === 'lite'
          ? {
              'kill-broker': LITE_NO_BROKER_FAULTS,
              'stop-broker': LITE_NO_BROKER_FAULTS,
              'freeze-broker': LITE_NO_BROKER_FAULTS,
              'freeze-controller': LITE_NO_CONTROLLER_FAULTS,
            }
          : {},
  });

  /** The bridge's files, written afresh on each Start, and the secrets for Compose's environment. */
  const bridgeExtras = (): ComposeExtras => {
    const settings = connection.view().settings;
    const e = env();
    const layout = bridgeLayout(settings, {
      metricsPort: Number(e.TELEGRAF_METRICS_PORT ?? 9273),
      topic: e.WALKSTREAM_TOPIC ?? 'random-walks',
      platform: process.platform,
      uid: process.getuid?.(),
      gid: process.getgid?.(),
    });
    const localConf = readFileSync(join(opts.stackDir, 'telegraf', 'telegraf.conf'), 'utf8');
    const override = writeBridgeFiles(
      join(dirname(opts.settingsPath), 'bridge'),
      localConf,
      settings,
      layout,
    );
    const secrets = connection.bridgeSecrets();
    return {
      files: [override],
      env: {
        [BRIDGE_SECRET_ENV.kafkaPassword]: secrets.kafkaPassword,
        [BRIDGE_SECRET_ENV.influxToken]: secrets.influxToken,
      },
    };
  };

  const handlers: ApiHandlers = {
    'stack:status': () => stack.status(),
    // Connect mode starts no containers: "up" is the connection check, so a wrong password or
    // token stops Start before the producer is started.
    'stack:up': async () => {
      if (!connected()) return stack.up();
      await connection.check();
      if (!connection.view().settings.bridge) return stack.status();
      return stack.upAlone(['telegraf'], bridgeExtras());
    },
    // Connect mode: only the bridge can be ours to stop; the user's cluster is not. Without one,
    // Docker is not even asked (connect mode works without it).
    'stack:down': async ({ removeVolumes }) => {
      if (!connected()) return stack.down(removeVolumes);
      if (!connection.view().settings.bridge) return stack.status();
      return stack.down(false);
    },
    'stack:restartService': ({ service }) => stack.restartService(service),
    'stack:stopService': ({ service }) => stack.stopService(service),
    'stack:startService': ({ service }) => stack.startService(service),
    'stack:logs': ({ service, lines }) => stack.logs(service, lines),
    'producer:status': async () => producer.status(),
    'producer:start': async () => {
      // Checked again here, not only in stack:up: a producer must never start against a cluster
      // whose data cannot reach a readable InfluxDB.
      if (connected() && !['running', 'starting'].includes(producer.status().state)) await connection.check();
      return producer.start();
    },
    'producer:stop': () => producer.stop(),
    'producer:setParams': async (patch) => producer.setParams(patch),
    'kafka:stats': () => kafkaStats.poll(),
    'telegraf:stats': () => telegrafStats.poll(),
    'preview:snapshot': async () => preview.snapshot(),
    'links:get': async () => stackLinks(env()),
    'docker:engine': () => docker.describe(),
    'settings:get': async () => settings.get(),
    'settings:updateUi': async (patch) => settings.updateUi(patch),
    'settings:updateStack': async (patch) => {
      if (patch.profile && patch.profile !== profile()) {
        const s = await stack.status();
        if (
          s.services.some((x) => x.state === 'running' || x.state === 'paused' || x.state === 'restarting')
        ) {
          throw new WalkstreamError(
            'PROFILE_SWITCH_WHILE_RUNNING',
            `The ${profile()} stack is running. Stop the pipeline first, then switch to the ${patch.profile} profile.`,
          );
        }
      }
      return settings.updateStack(patch);
    },
    'stack:info': async () => {
      const localImages = composeFiles().some((f) => f.endsWith('compose.local.yaml'));
      return {
        stackDir: opts.stackDir,
        envFile,
        appVersion: opts.appVersion ?? null,
        lastUpdate: stackSync?.previousVersion
          ? {
              previousVersion: stackSync.previousVersion,
              updated: stackSync.updated,
              backedUp: stackSync.backedUp,
            }
          : null,
        localImages,
        profile: profile(),
        leftOut: [
          ...(localImages ? NOT_BUILT_LOCALLY : []),
          ...(profile() === 'lite' ? LITE_LEAVES_OUT : []),
        ].filter((s, i, all) => all.indexOf(s) === i),
      };
    },
    'stack:adoptMatchingEnv': async () => {
      const wanted = (await stack.status()).error?.details?.volumeClusterId;
      const match =
        typeof wanted === 'string'
          ? envFileWithClusterId(candidateEnvFiles(opts.stackDir, opts.otherEnvDirs ?? []), wanted)
          : null;
      if (!match) {
        throw new WalkstreamError(
          'NO_MATCHING_ENV',
          'No .env matching the old data was found. Put the old .env back, or delete the old data.',
        );
      }
      const { keptAs } = adoptEnvFile(envFile, match);
      return { envFile, adoptedFrom: match, keptAs };
    },
    'chaos:status': async () => chaos.status(),
    'chaos:inject': (input) => chaos.inject(input),
    'chaos:undo': (input) => chaos.undo(input),
    'flow:status': async () => flow.status(),
    ...connectionHandlers({ connection, producer, stack }),
  };

  chaos.init(); // before the first stack status, so it sees every one
  flow.init();
  stack.init();
  kafkaStats.start();
  telegrafStats.start();
  preview.start();
  flow.start();

  return {
    router: new ApiRouter(handlers),
    hub,
    stack,
    producer,
    kafkaStats,
    telegrafStats,
    preview,
    chaos,
    flow,
    settings,
    connection,
    async shutdown() {
      await producer.stop();
      preview.stop();
      flow.stop();
      chaos.close();
      telegrafStats.stop();
      await kafkaStats.stop();
      await stack.close();
    },
  };
}

/**
 * What `compose up` (no --profile) may take. A compose file the estimate cannot read counts as 0:
 * Compose itself then reports the file's error, with its line, better than a guess could.
 */
function stackMemoryBytes(composeFiles: string[], env: Record<string, string>): number {
  const profiles = (process.env.COMPOSE_PROFILES ?? env.COMPOSE_PROFILES ?? '').split(',').filter(Boolean);
  try {
    return composeMemoryLimitBytes(composeFiles, profiles);
  } catch {
    return 0;
  }
}
