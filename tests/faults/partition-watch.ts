/**
 * Watching a broker that goes silent, partition by partition: who leads what, through a client
 * that drops a silent broker's connection so the watching itself never stalls; when each walk's
 * points become queryable in InfluxDB; and the gaps these timelines show per partition.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { watchdogSocketFactory } from '@walkstream/producer';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { compose, flux, kafkaTool, quorumStatus, stackEnv, waitUntil } from '../stack/stack-env';
import { TOPIC } from './fault-harness';

const run = promisify(execFile);

export async function watchAdmin(): Promise<Admin> {
  const admin = new Kafka({
    clientId: 'walkstream-faults-watch',
    brokers: stackEnv.brokers,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
    socketFactory: watchdogSocketFactory(1_000),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  return admin;
}

/** The data topic's min.insync.replicas (stack/compose.yaml creates it so). */
export const MIN_INSYNC_REPLICAS = 2;

/** Each partition of the data topic and its leader's node id (-1 while it has none). */
export async function partitionLeaders(admin: Admin): Promise<Map<number, number>> {
  return new Map([...(await partitionStates(admin))].map(([id, p]) => [id, p.leader]));
}

export async function partitionStates(admin: Admin): Promise<Map<number, { leader: number; isr: number[] }>> {
  const meta = await admin.fetchTopicMetadata({ topics: [TOPIC] });
  return new Map((meta.topics[0]?.partitions ?? []).map((p) => [p.partitionId, p]));
}

/**
 * Hands every partition's leadership back to its preferred replica, which the cluster itself does
 * only every 5 minutes (leader.imbalance.check.interval.seconds): after a broker restart the others
 * keep what they took over, and after the two-broker scenario one broker leads everything.
 */
export async function restorePreferredLeaders(admin: Admin): Promise<void> {
  const preferred = async () => {
    const meta = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    return (meta.topics[0]?.partitions ?? []).every((p) => p.leader === p.replicas[0]);
  };
  if (await preferred()) return;
  // The one-shot topic service has the Kafka tools and a small heap; the brokers' own containers
  // have no memory to spare for a second JVM.
  await compose(
    'run',
    '--rm',
    '--no-deps',
    '-T',
    'kafka-init',
    '/opt/kafka/bin/kafka-run-class.sh',
    'org.apache.kafka.tools.LeaderElectionCommand',
    '--bootstrap-server',
    'kafka-1:19092,kafka-2:19092,kafka-3:19092',
    '--election-type',
    'PREFERRED',
    '--all-topic-partitions',
  ).catch(() => {});
  await waitUntil('every partition led by its preferred replica', preferred, (ok) => ok, 60_000, 500);
}

/**
 * The broker to silence: the one leading the most partitions while another broker leads some too,
 * so both the partitions that must move and those that need not are measured.
 */
export function pickSilentBroker(leaders: Map<number, number>): number {
  const led = new Map<number, number>();
  for (const leader of leaders.values()) led.set(leader, (led.get(leader) ?? 0) + 1);
  const ranked = [...led].filter(([id]) => id >= 0).sort((a, b) => b[1] - a[1]);
  const candidate = ranked.find(([, n]) => n < leaders.size) ?? ranked[0];
  if (!candidate) throw new Error(`no partition of ${TOPIC} has a leader: ${JSON.stringify([...leaders])}`);
  return candidate[0];
}

/**
 * The KRaft quorum's active controller (a node id of a controller, 101-103), from the quorum
 * itself: a client's metadata names a random broker as "controller" in KRaft mode. `controllers`:
 * ask these directly (see quorumStatus).
 */
export async function activeController(controllers?: string[]): Promise<number> {
  const out = await quorumStatus(controllers);
  const id = Number(/LeaderId:\s+(\d+)/.exec(out)?.[1]);
  if (!Number.isInteger(id)) throw new Error(`no LeaderId in kafka-metadata-quorum's answer: ${out}`);
  return id;
}

/**
 * The broker that coordinates Telegraf's consumer group (its heartbeats, rejoins and offset commits
 * go there), from Kafka's own tool: a silent coordinator holds Telegraf up longer than a silent
 * partition leader does.
 */
export async function telegrafGroupCoordinator(): Promise<number> {
  const out = await kafkaTool('kafka-consumer-groups.sh', [
    '--bootstrap-server',
    'kafka-1:19092',
    '--describe',
    '--group',
    'telegraf-walkstream',
    '--state',
  ]);
  // GROUP  COORDINATOR (ID)  ASSIGNMENT-STRATEGY  STATE  #MEMBERS / telegraf-walkstream  kafka-3:19092 (3) …
  const id = Number(/^telegraf-walkstream\s+\S+\s+\((\d+)\)/m.exec(out)?.[1]);
  if (!Number.isInteger(id)) throw new Error(`no coordinator in kafka-consumer-groups' answer: ${out}`);
  return id;
}

/** The Compose service of a controller node: node 101 is kafka-controller-1 (stack/compose.yaml). */
export function controllerService(nodeId: number): string {
  if (nodeId < 101 || nodeId > 103)
    throw new Error(`node ${nodeId} is not one of the stack's controllers (101-103)`);
  return `kafka-controller-${nodeId - 100}`;
}

export interface BrokerFault {
  apply(): Promise<void>;
  heal(): Promise<void>;
}

/** Frozen: the process is stopped, its connections stay open and answer nothing. */
export function freezeBroker(service: string): BrokerFault {
  return {
    apply: async () => void (await compose('pause', service)),
    heal: async () => void (await compose('unpause', service)),
  };
}

/**
 * Cut off the network: disconnected from the project network (so from the other brokers and from
 * the published port and the controllers), then connected again under the same DNS names, which
 * the other brokers and the clients use to reach it.
 */
export async function cutBrokerOff(service: string): Promise<BrokerFault> {
  const id = (await compose('ps', '-q', service)).trim();
  const { stdout } = await run(stackEnv.docker, ['inspect', '-f', '{{json .NetworkSettings.Networks}}', id]);
  const [network, endpoint] =
    Object.entries(JSON.parse(stdout) as Record<string, { Aliases: string[] | null }>)[0] ?? [];
  if (!network || !endpoint) throw new Error(`${service} (${id}) is on no network`);
  const aliases = (endpoint.Aliases ?? []).flatMap((a) => ['--alias', a]);
  return {
    apply: async () => void (await run(stackEnv.docker, ['network', 'disconnect', network, id])),
    heal: async () => void (await run(stackEnv.docker, ['network', 'connect', ...aliases, network, id])),
  };
}

/**
 * The longest time without an event, among the gaps that end within (from, to], counting a gap
 * still open at `to`; `resumedAt` is when that gap ended (undefined if it had not by `to`).
 */
export function longestGap(
  times: readonly number[],
  from: number,
  to: number,
): { gapMs: number; resumedAt?: number } {
  let best: { gapMs: number; resumedAt?: number } = { gapMs: 0 };
  let prev: number | undefined;
  for (const t of times) {
    if (t > to) break;
    if (t > from && prev !== undefined && t - prev > best.gapMs) best = { gapMs: t - prev, resumedAt: t };
    prev = t;
  }
  if (prev !== undefined && to - prev > best.gapMs) best = { gapMs: to - prev };
  return best;
}

export interface StoredProgressWatch {
  /** When points of `partition` were first seen queryable in InfluxDB, poll by poll (ms since epoch). */
  seenTimes(partition: number): readonly number[];
  /** Mean time one poll took: the resolution of the timeline. */
  meanPollMs(): number;
  stop(): Promise<void>;
}

/**
 * Polls InfluxDB for every walk's newest step: each time a walk's step rises, its partition's
 * points were queryable again by that poll.
 */
export function watchStoredProgress(
  prefix: string,
  partitionOf: (walk: string) => number,
  intervalMs = 500,
): StoredProgressWatch {
  const newest = new Map<string, number>();
  const seen = new Map<number, number[]>();
  let polls = 0;
  let pollMs = 0;
  let stopped = false;
  const pattern = prefix.replace(/[^A-Za-z0-9]/g, (c) => `\\${c}`);
  // A backlog delivered late carries old event times: look back well beyond a 60 s outage.
  const query = `from(bucket: "${stackEnv.influxBucket}")
  |> range(start: -3m)
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "seq" and r.walk =~ /^${pattern}/)
  |> last()
  |> keep(columns: ["walk", "_value"])`;
  const loop = (async () => {
    while (!stopped) {
      const t0 = Date.now();
      const rows = await flux<{ walk: string; _value: number }>(query).catch(() => []);
      const advanced = new Set<number>();
      for (const r of rows) {
        if (Number(r._value) > (newest.get(r.walk) ?? -1)) advanced.add(partitionOf(r.walk));
        newest.set(r.walk, Math.max(Number(r._value), newest.get(r.walk) ?? -1));
      }
      for (const partition of advanced) {
        const times = seen.get(partition) ?? [];
        times.push(t0);
        seen.set(partition, times);
      }
      polls++;
      pollMs += Date.now() - t0;
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - t0))));
    }
  })();
  return {
    seenTimes: (partition) => seen.get(partition) ?? [],
    meanPollMs: () => (polls ? pollMs / polls : 0),
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
