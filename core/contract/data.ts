/**
 * Plain data objects that cross from the core (main process) to the UI. Nothing here holds a
 * live client or handle: dockerode, kafkajs and InfluxDB objects never leave the core.
 */
import type { ProducerMetrics, ProducerState, WalkParams } from '@walkstream/producer';
import type { ConnectionSettings } from './connection';
import type { ApiErrorCode } from './errors';

export type { ProducerMetrics, ProducerState, WalkParams };

export const SERVICE_NAMES = [
  'kafka-1',
  'kafka-2',
  'kafka-3',
  'kafka-controller-1',
  'kafka-controller-2',
  'kafka-controller-3',
  'kafka-ui',
  'telegraf',
  'influxdb',
  'grafana',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const BROKER_SERVICES = ['kafka-1', 'kafka-2', 'kafka-3'] as const;
/** The KRaft quorum, run apart from the brokers (stack/compose.yaml says why); not in the lite profile. */
export const CONTROLLER_SERVICES = [
  'kafka-controller-1',
  'kafka-controller-2',
  'kafka-controller-3',
] as const;
/** The services the data flows through, all with a local image: healthy together, the pipeline works. */
export const PIPELINE_SERVICES = [
  ...BROKER_SERVICES,
  ...CONTROLLER_SERVICES,
  'telegraf',
  'influxdb',
] as const;

/** The faults the Chaos panel can inject, and which services each one may target. */
export const FAULT_TARGETS = {
  'kill-broker': BROKER_SERVICES,
  'stop-broker': BROKER_SERVICES,
  'freeze-broker': BROKER_SERVICES,
  'freeze-controller': CONTROLLER_SERVICES,
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
  /** The last exit's code, for a container that is not running (137: SIGKILL, 143: SIGTERM). */
  exitCode: number | null;
  /** The kernel killed it for memory: an exit code alone cannot tell that from a `docker kill`. */
  oomKilled: boolean;
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
  /** The address the broker advertises to the host (what the producer connects to). */
  host: string;
  port: number;
  /** Listed by the cluster and, when probed, answering: a broker that does not answer is not up. */
  up: boolean;
  /**
   * Named as "controller" in the cluster's Metadata. Under KRaft that is a broker the cluster picks
   * for clients, not the quorum's active controller (clients cannot reach the controllers), so the
   * UI does not show it.
   */
  isController: boolean;
  /** The app's own ApiVersions probe of this broker; null before the first one ends. */
  probe: BrokerProbe | null;
}

/**
 * answering: replied to an ApiVersions request. not-responding: accepts connections but answers
 * nothing (frozen, hung). refused: connection refused or closed unanswered. unreachable: no
 * connection at all (no route, timeout, unknown host).
 */
export type BrokerProbeState = 'answering' | 'not-responding' | 'refused' | 'unreachable';

export interface BrokerProbe {
  state: BrokerProbeState;
  /** The last request's round trip, ms, while answering. */
  rttMs: number | null;
  /** Epoch ms (core clock) since the broker has been in this state. */
  since: number;
  /** Why, in words, when not answering: "connection refused". */
  detail: string;
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
  /** When Telegraf counted consumedPoints (epoch ms, its own clock); null when it does not say. */
  consumedAt: number | null;
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
  /** Points of a walk further apart than this have a gap between them: the chart does not join them. */
  gapMs: number;
  /** Walks that exist but are not shown (the preview shows a bounded subset). */
  hiddenWalks: number;
  windowSeconds: number;
  at: number;
}

export interface ProducerStatus {
  state: ProducerState;
  /** When the current (or last) run was started, epoch ms; its points are the ones counted as this run's. */
  startedAt: number | null;
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
  /** Local stack or the user's own cluster; its secrets are kept elsewhere (see connection.ts). */
  connection: ConnectionSettings;
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

/** Where the data is, hop by hop, from the producer to the chart. */
export const FLOW_HOPS = ['producer', 'kafka', 'telegraf', 'influxdb', 'chart'] as const;
export type FlowHopName = (typeof FLOW_HOPS)[number];

/**
 * flowing: moving data. idle: nothing to move. waiting: nothing arrives because a hop before it is
 * stalled or down. degraded: moving, with something wrong (a broker down, behind schedule).
 * stalled: holds data and has not moved any for a few seconds. down: its container is not running,
 * or it does not answer.
 */
export type FlowHopState = 'flowing' | 'idle' | 'waiting' | 'degraded' | 'stalled' | 'down';

export interface FlowHop {
  hop: FlowHopName;
  state: FlowHopState;
  /** Points per second arriving at this hop; null when it cannot be seen (e.g. Telegraf paused). */
  inPerSecond: number | null;
  /** Points that arrived at this hop since the producer's run started. */
  inTotal: number | null;
  /** Points that passed this hop and wait for the next one. */
  backlog: number | null;
  /** The backlog as seconds of data, at the asked rate while producing (else at this hop's rate). */
  backlogSeconds: number | null;
  /** The Chaos panel's active fault on this hop. */
  fault: FaultKind | null;
}

export interface ProducerFlow extends FlowHop {
  hop: 'producer';
  generated: number;
  acknowledged: number;
  queued: number;
  ticksSkipped: number;
  /** Behind the tick schedule right now. */
  lagMs: number;
}

export interface KafkaFlow extends FlowHop {
  hop: 'kafka';
  /** Points Kafka acknowledged to the producer this run. */
  acknowledged: number | null;
  /** Messages added to the topic (its end offsets) this run; a message carries one or more points. */
  messages: number | null;
  messagesPerSecond: number | null;
  /** The consumer group's lag, in messages (end offsets − Telegraf's committed offsets). */
  lagMessages: number | null;
  brokersUp: number;
  brokersDown: number[];
  /** Partitions that have no leader: nothing can be written to them. */
  leaderless: number[];
}

export interface TelegrafFlow extends FlowHop {
  hop: 'telegraf';
  consumed: number | null;
  written: number | null;
  /** Since Telegraf started (not this run): any drop is data loss. */
  dropped: number | null;
  buffered: number | null;
  bufferLimit: number | null;
  /** Failed writes to InfluxDB in the last 10 s. */
  recentWriteErrors: number | null;
}

export interface InfluxFlow extends FlowHop {
  hop: 'influxdb';
  /** Points of this run stored: the sum over walks of the highest stored seq + 1. */
  stored: number | null;
  newestAgeMs: number | null;
  /** Why the app's own query failed, with InfluxDB's HTTP status when it answered. */
  queryError: { status: number | null; message: string } | null;
}

export interface ChartFlow extends FlowHop {
  hop: 'chart';
  newestAgeMs: number | null;
}

/** What is wrong, from what signal, and what to do: "Telegraf is not consuming: … → …". */
export interface FlowDiagnosis {
  /** Which rule found it: stays the same while its figures change. */
  id: string;
  hop: FlowHopName;
  severity: 'bad' | 'warn';
  problem: string;
  cause: string;
  action: string;
}

/**
 * Event time → first seen queryable in InfluxDB, from a few sampled walks. The event time is the
 * point's timestamp: the time its tick was scheduled for, so a producer running late adds to it.
 */
export interface FlowLatency {
  p50Ms: number | null;
  p99Ms: number | null;
  samples: number;
  windowSeconds: number;
  /** How often InfluxDB is asked for new points: a measured latency is high by up to this much. */
  probeMs: number;
}

export interface FlowStatus {
  /** The producer run the totals count from, epoch ms; null before the first start. */
  runStartedAt: number | null;
  producing: boolean;
  /** walks × rate while producing. */
  askedPerSecond: number;
  hops: {
    producer: ProducerFlow;
    kafka: KafkaFlow;
    telegraf: TelegrafFlow;
    influxdb: InfluxFlow;
    chart: ChartFlow;
  };
  latency: FlowLatency;
  /** The worst first. */
  diagnoses: FlowDiagnosis[];
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
