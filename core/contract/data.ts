/**
 * Plain data objects that cross from the core (main process) to the UI. Nothing here holds a
 * live client or handle: dockerode, kafkajs and InfluxDB objects never leave the core.
 */
import type { ProducerMetrics, ProducerState, WalkParams } from '@walkstream/producer';
import type { ApiErrorCode } from './errors';

export type { ProducerMetrics, ProducerState, WalkParams };

export const SERVICE_NAMES = [
  'kafka-1',
  'kafka-2',
  'kafka-3',
  'kafka-ui',
  'telegraf',
  'influxdb',
  'grafana',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const BROKER_SERVICES = ['kafka-1', 'kafka-2', 'kafka-3'] as const;

/** The faults the Chaos panel can inject, and which services each one may target. */
export const FAULT_TARGETS = {
  'kill-broker': BROKER_SERVICES,
  'stop-broker': BROKER_SERVICES,
  'pause-telegraf': ['telegraf'],
  'stop-influxdb': ['influxdb'],
} as const satisfies Record<string, readonly ServiceName[]>;
export type FaultKind = keyof typeof FAULT_TARGETS;
export const FAULT_KINDS = Object.keys(FAULT_TARGETS) as FaultKind[];

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
export type Health = 'healthy' | 'unhealthy' | 'starting' | 'none';

export interface ServiceInfo {
  service: ServiceName;
  /** `not-available`: not part of the running stack (e.g. no local image of Grafana). */
  state: ContainerState | 'not-available';
  health: Health;
  containerId: string | null;
  startedAt: string | null;
  restartCount: number;
  ports: { host: string; hostPort: number; containerPort: number }[];
  image: string | null;
}

export type PipelineState = 'stopped' | 'starting' | 'running' | 'degraded' | 'stopping' | 'error';

export interface StackStatus {
  state: PipelineState;
  services: ServiceInfo[];
  /** The last lifecycle error, in words a user can act on. */
  error: ApiErrorData | null;
  dockerAvailable: boolean;
  updatedAt: number;
}

export interface BrokerStats {
  nodeId: number;
  host: string;
  port: number;
  up: boolean;
  isController: boolean;
}

export interface PartitionStats {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  underReplicated: boolean;
  endOffset: number;
  messagesPerSecond: number;
  consumerOffset: number | null;
  lag: number | null;
}

export interface KafkaStats {
  reachable: boolean;
  error: ApiErrorData | null;
  brokers: BrokerStats[];
  controller: number | null;
  topic: string;
  partitions: PartitionStats[];
  underReplicated: number;
  messagesPerSecond: number;
  consumerGroup: string;
  totalLag: number | null;
  /** Lag expressed as time: messages behind ÷ current produce rate. */
  lagSeconds: number | null;
  at: number;
}

/**
 * Telegraf's own counters (since it last started), from its metrics endpoint. All null while it
 * does not answer. Only the output that writes the Kafka data is counted.
 */
export interface TelegrafStats {
  reachable: boolean;
  error: ApiErrorData | null;
  /** Points read from Kafka that InfluxDB has not taken yet (Telegraf's output buffer). */
  bufferedPoints: number | null;
  bufferLimit: number | null;
  writtenPoints: number | null;
  /** Points the buffer dropped: data loss. The configuration is built so this stays 0. */
  droppedPoints: number | null;
  /** Failed writes to InfluxDB (each retried). */
  writeErrors: number | null;
  /** Points parsed from Kafka messages. */
  consumedPoints: number | null;
  at: number;
}

export interface PreviewPoint {
  t: number; // epoch ms
  v: number;
}

export interface PreviewSeries {
  walk: string;
  points: PreviewPoint[];
  lastValue: number | null;
  /** Age of the newest point, ms. */
  freshnessMs: number | null;
}

/** New points since the previous update, per walk; `reset` replaces everything. */
export interface PreviewUpdate {
  reset: boolean;
  series: PreviewSeries[];
  /** Walks that exist but are not shown (the preview shows a bounded subset). */
  hiddenWalks: number;
  windowSeconds: number;
  at: number;
}

export interface ProducerStatus {
  state: ProducerState;
  params: WalkParams;
  metrics: ProducerMetrics | null;
  error: ApiErrorData | null;
}

export interface Links {
  grafanaRandomWalks: string;
  grafanaPipelineHealth: string;
  kafkaUi: string;
  influxdb: string;
}

export interface Settings {
  params: WalkParams;
  ui: { theme: 'system' | 'light' | 'dark'; previewWalks: number; stopStackOnQuit: 'ask' | 'yes' | 'no' };
  stack: StackSettings;
}

export type StackProfile = 'full' | 'lite';

export interface StackSettings {
  /** full: 3 brokers, Kafka UI. lite: 1 broker, no Kafka UI (stack/profiles/lite.yaml). */
  profile: StackProfile;
  /** Run on locally built images (`npm run images:local`): for machines that cannot pull images. */
  localImages: boolean;
  /** A Docker engine address or context name; empty: the docker CLI's own choice. */
  dockerEndpoint: string;
  /** The docker CLI's path; empty: searched for. */
  dockerCli: string;
}

/** Services that have no local build: left out when the stack runs on local images. */
export const NOT_BUILT_LOCALLY: readonly ServiceName[] = ['grafana', 'kafka-ui'];

/** Where the stack's files and secrets are, and what the last app update changed in them. */
export interface StackInfo {
  stackDir: string;
  envFile: string;
  appVersion: string | null;
  /** Set when this start laid new stack files: which were updated and which user edits were kept aside. */
  lastUpdate: { previousVersion: string | null; updated: string[]; backedUp: string[] } | null;
  localImages: boolean;
  profile: StackProfile;
  /** Services the current profile and choice of images leave out. */
  leftOut: ServiceName[];
}

export interface ActiveFault {
  id: string;
  kind: FaultKind;
  service: ServiceName;
  /** Epoch ms (core clock) the fault was injected. */
  since: number;
}

/**
 * A fault that ended, by its Undo or because the container came back by other means (its
 * service card's Start/Restart, a stack start), and how long the pipeline took to heal.
 */
export interface FaultRecovery extends ActiveFault {
  endedAt: number;
  endedBy: 'undo' | 'external';
  state: 'recovering' | 'recovered' | 'gave-up';
  /** From the end of the fault until the pipeline looked healthy again. */
  recoveredInMs: number | null;
}

/** What a fault does to the pipeline, summarised from the Kafka stats and the chart's freshness. */
export interface ChaosEffect {
  kafkaReachable: boolean;
  brokersUp: number[];
  brokersDown: number[];
  underReplicated: number;
  /** In-sync replica count per partition, in partition order. */
  isrSizes: number[];
  /** How many partitions each known broker leads; leaders move off a broker that goes down. */
  leaders: { broker: number; partitions: number }[];
  messagesPerSecond: number;
  totalLag: number | null;
  lagSeconds: number | null;
  /** Age of the newest point in InfluxDB; it keeps growing while nothing new arrives. */
  freshnessMs: number | null;
}

export interface ChaosStatus {
  faults: ActiveFault[];
  /** Faults the current stack cannot take, with the reason (e.g. broker faults in the lite profile). */
  unavailable: Partial<Record<FaultKind, string>>;
  /** Newest first, a few at most. */
  recoveries: FaultRecovery[];
  effect: ChaosEffect;
  at: number;
}

/** The Docker engine the stack runs on, and the docker CLI that drives it. */
export interface DockerEngine {
  /** Docker Desktop, colima, OrbStack, Rancher Desktop, Podman, Docker Engine (rootless) or Docker Engine. */
  name: string;
  serverVersion: string;
  /** The engine's memory: on Docker Desktop and the like, its VM's. */
  memTotalBytes: number;
  contextName: string | null;
  /** e.g. unix:///var/run/docker.sock */
  host: string;
  /** What chose the engine: Walkstream's setting, DOCKER_HOST, a docker context, or the default. */
  source: 'setting' | 'DOCKER_HOST' | 'context' | 'default';
  cliPath: string | null;
  composeVersion: string | null;
  /** Why no usable docker CLI was found, when none was. */
  cliError: ApiErrorData | null;
}

export interface ApiErrorData {
  code: ApiErrorCode;
  message: string;
  retriable: boolean;
  details?: Record<string, unknown>;
}
