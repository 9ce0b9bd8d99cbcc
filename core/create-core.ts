/**
 * The composition root: builds every main-process service from the stack directory and the
 * user's settings file, and the one router both transports serve. Electron's main process and
 * the browser-mode server (web-server.ts) both call this; nothing here imports Electron.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfluxDB } from '@influxdata/influxdb-client';
import Dockerode from 'dockerode';
import { type ApiHandlers, ApiRouter, EventHub } from './api/api-router';
import { ChaosService } from './chaos/chaos-service';
import { KafkaStatsService } from './kafka/kafka-stats-service';
import { stackBrokers, stackLinks } from './links';
import { PreviewService } from './preview/preview-service';
import { ProducerService } from './producer/producer-service';
import { SettingsStore } from './settings/settings-store';
import { ensureEnvFile, parseEnvFile } from './stack/env-file';
import { runPreflight } from './stack/preflight';
import { StackService } from './stack/stack-service';

export interface CoreOptions {
  /** The repository's (or the packaged app's) stack/ directory. */
  stackDir: string;
  settingsPath: string;
  project?: string;
  /** Extra compose files, e.g. tests/stack/compose.local.yaml for locally built images. */
  extraComposeFiles?: string[];
  /** Defaults to stack/.env, created with random secrets on first start. */
  envFile?: string;
  dockerCli?: string;
  /** The Docker engine's unix socket; by default dockerode and the CLI follow DOCKER_HOST. */
  dockerSocket?: string;
}

export interface Core {
  router: ApiRouter;
  hub: EventHub;
  stack: StackService;
  producer: ProducerService;
  kafkaStats: KafkaStatsService;
  preview: PreviewService;
  chaos: ChaosService;
  settings: SettingsStore;
  /** Stops the producer (flushing) and every poller; the stack itself is left as it is. */
  shutdown(): Promise<void>;
}

const STACK_MEMORY_BYTES = 6.5 * 2 ** 30; // the sum of the mem_limits in stack/compose.yaml

export function createCore(opts: CoreOptions): Core {
  const hub = new EventHub();
  const envFile = opts.envFile ?? join(opts.stackDir, '.env');
  const env = (): Record<string, string> =>
    existsSync(envFile)
      ? parseEnvFile(readFileSync(envFile, 'utf8'))
      : parseEnvFile(readFileSync(join(opts.stackDir, '.env.example'), 'utf8'));
  const settings = new SettingsStore(opts.settingsPath);
  const docker = opts.dockerSocket ? new Dockerode({ socketPath: opts.dockerSocket }) : new Dockerode();
  const dockerCli = opts.dockerCli ?? 'docker';
  const composeFiles = [join(opts.stackDir, 'compose.yaml'), ...(opts.extraComposeFiles ?? [])];

  const stack = new StackService({
    docker,
    dockerCli,
    project: opts.project ?? 'walkstream',
    stackDir: opts.stackDir,
    composeFiles,
    envFile,
    dockerHost: opts.dockerSocket ? `unix://${opts.dockerSocket}` : undefined,
    profiles: ['headless'],
    hub,
    preflight: async () => {
      if (!opts.envFile) ensureEnvFile(opts.stackDir);
      const e = env();
      const running = await stack.status();
      const ownPorts = new Set(running.services.flatMap((s) => s.ports.map((p) => p.hostPort)));
      await runPreflight({
        pingDocker: () => docker.ping(),
        dockerCli,
        ownPorts,
        requiredMemoryBytes: STACK_MEMORY_BYTES,
        ports: [
          { port: Number(e.KAFKA_1_PORT ?? 9092), purpose: 'Kafka broker 1' },
          { port: Number(e.KAFKA_2_PORT ?? 9094), purpose: 'Kafka broker 2' },
          { port: Number(e.KAFKA_3_PORT ?? 9096), purpose: 'Kafka broker 3' },
          { port: Number(e.INFLUXDB_PORT ?? 8086), purpose: 'InfluxDB' },
          { port: Number(e.GRAFANA_PORT ?? 3000), purpose: 'Grafana' },
          { port: Number(e.KAFKA_UI_PORT ?? 8080), purpose: 'Kafka UI' },
        ],
      });
    },
  });

  const producer = new ProducerService({
    brokers: () => stackBrokers(env()),
    hub,
    initialParams: settings.get().params,
    onParams: (p) => settings.setParams(p),
  });

  const kafkaStats = new KafkaStatsService({
    brokers: () => stackBrokers(env()),
    topic: env().WALKSTREAM_TOPIC ?? 'random-walks',
    consumerGroup: 'telegraf-walkstream',
    hub,
  });

  // Built per query from the current stack/.env: it may be created (first start) after the app.
  const preview = new PreviewService({
    query: {
      collectRows: (q) => {
        const e = env();
        return new InfluxDB({
          url: `http://127.0.0.1:${e.INFLUXDB_PORT ?? 8086}`,
          token: e.INFLUXDB_ADMIN_TOKEN ?? '',
          timeout: 5_000,
        })
          .getQueryApi(e.INFLUXDB_ORG ?? 'walkstream')
          .collectRows(q);
      },
    },
    bucket: env().INFLUXDB_BUCKET ?? 'walks',
    hub,
    walkLimit: () => settings.get().ui.previewWalks,
  });

  const chaos = new ChaosService({ containers: stack, hub });

  const handlers: ApiHandlers = {
    'stack:status': () => stack.status(),
    'stack:up': () => stack.up(),
    'stack:down': ({ removeVolumes }) => stack.down(removeVolumes),
    'stack:restartService': ({ service }) => stack.restartService(service),
    'stack:stopService': ({ service }) => stack.stopService(service),
    'stack:startService': ({ service }) => stack.startService(service),
    'stack:logs': ({ service, lines }) => stack.logs(service, lines),
    'producer:status': async () => producer.status(),
    'producer:start': () => producer.start(),
    'producer:stop': () => producer.stop(),
    'producer:setParams': async (patch) => producer.setParams(patch),
    'kafka:stats': () => kafkaStats.poll(),
    'preview:snapshot': async () => preview.snapshot(),
    'links:get': async () => stackLinks(env()),
    'settings:get': async () => settings.get(),
    'settings:updateUi': async (patch) => settings.updateUi(patch),
    'chaos:status': async () => chaos.status(),
    'chaos:inject': (input) => chaos.inject(input),
    'chaos:undo': (input) => chaos.undo(input),
  };

  chaos.init(); // before the first stack status, so it sees every one
  stack.init();
  kafkaStats.start();
  preview.start();

  return {
    router: new ApiRouter(handlers),
    hub,
    stack,
    producer,
    kafkaStats,
    preview,
    chaos,
    settings,
    async shutdown() {
      await producer.stop();
      preview.stop();
      chaos.close();
      await kafkaStats.stop();
      await stack.close();
    },
  };
}
