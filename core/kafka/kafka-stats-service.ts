import { fixKafkajsIdleTimers } from '@walkstream/producer';
import { type Admin, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import type { BrokerStats, KafkaStats, PartitionStats } from '../contract/data';
import { toErrorData, WalkstreamError } from '../contract/errors';
import type { EventHub } from '../events/event-hub';
import { Poller } from '../events/poller';
import {
  BrokerProbes,
  dialFor,
  type ProbeOptions,
  type ProbeOutcome,
  type ProbeTarget,
  withProbes,
} from './broker-probe';

export interface KafkaStatsOptions {
  brokers: () => string[];
  /** TLS and SASL for the user's own cluster (connect mode); a new object means a new client. */
  security?: () => Pick<KafkaConfig, 'ssl' | 'sasl'> | undefined;
  topic: string;
  consumerGroup: string;
  hub: EventHub;
  intervalMs?: number;
  /** One poll may take at most this long; a slow cluster skips ticks instead of piling up requests. */
  pollTimeoutMs?: number;
  /** How often each broker is probed directly (ApiVersions); one probe per broker at a time. */
  probeIntervalMs?: number;
  /** A probe with no answer within this long shows its broker as not responding. */
  probeTimeoutMs?: number;
  probe?: (target: ProbeTarget, opts: ProbeOptions) => Promise<ProbeOutcome>;
  /** Epoch ms. */
  now?: () => number;
}

/**
 * Cluster, topic and consumer-lag statistics from the kafkajs admin client, polled every second.
 * Only one poll runs at a time. A broker that does not answer shows as down; if none answers the
 * stats say so (reachable: false) instead of failing.
 *
 * Each broker the cluster has named is also probed on its own (broker-probe.ts), because metadata
 * keeps listing a frozen broker as alive: a broker whose probe gets no answer is not up, whatever
 * the metadata says, and a change of probe state is pushed at once, between polls.
 */
export class KafkaStatsService {
  private admin: Admin | null = null;
  private adminFor = '';
  private adminSecurity: Pick<KafkaConfig, 'ssl' | 'sasl'> | undefined;
  /** Rotates the first broker a new client tries: see client(). */
  private seedOffset = 0;
  private readonly poller: Poller;
  private prev: { at: number; offsets: Map<number, number> } | null = null;
  /** The last poll's stats, before the probes' states are laid over them. */
  private base: KafkaStats;
  private latest: KafkaStats;
  private readonly probes: BrokerProbes;
  private readonly probePoller: Poller;
  /** Every broker any poll has named, with its last address: a broker that dies is still probed. */
  private readonly known = new Map<number, ProbeTarget>();
  private silentIds = new Set<number>();
  /** Polls that failed one after the other (not counting those of a dropped client). */
  private failedInARow = 0;
  /** How many clients were dropped because a broker fell silent. */
  private abandoned = 0;

  constructor(private readonly opts: KafkaStatsOptions) {
    this.probes = new BrokerProbes({
      now: opts.now,
      probe: opts.probe,
      timeoutMs: opts.probeTimeoutMs ?? 1_500,
      dial: () => dialFor(opts.security?.()?.ssl),
      onChange: () => {
        this.leaveSilentBrokers();
        this.publish();
      },
    });
    this.base = this.empty(null);
    this.latest = this.base;
    this.poller = new Poller(() => this.poll(), opts.intervalMs);
    // Not awaited: a probe that hangs must not hold back the other brokers' probes.
    this.probePoller = new Poller(async () => {
      void this.probes.probe(this.probeTargets());
    }, opts.probeIntervalMs ?? 1_000);
  }

  start(): void {
    this.poller.start();
    this.probePoller.start();
  }

  async stop(): Promise<void> {
    this.poller.stop();
    this.probePoller.stop();
    this.probes.close();
    await this.admin?.disconnect().catch(() => {});
    this.admin = null;
  }

  current(): KafkaStats {
    return this.latest;
  }

  /** One poll, also used directly by `kafka:stats` calls. */
  async poll(): Promise<KafkaStats> {
    const timeout = this.opts.pollTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const abandonedBefore = this.abandoned;
    try {
      const stats = await Promise.race([
        this.collect(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new WalkstreamError('KAFKA_SLOW', `Kafka did not answer within ${timeout / 1000} s.`, {
                  retriable: true,
                }),
              ),
            timeout,
          );
        }),
      ]);
      this.base = stats;
      this.failedInARow = 0;
    } catch (err) {
      // A poll whose client was dropped for a silent broker failed for that, not because Kafka is
      // away: the last stats stand until the next poll, on a new client.
      if (this.abandoned === abandonedBefore) {
        this.failedInARow++;
        // One failure right after good polls is often a moment of the cluster's own (the request
        // that met a leader election, measured ~10 s into a frozen broker): the last stats stand
        // once; a second failure in a row says Kafka does not answer.
        if (!(this.failedInARow === 1 && this.base.reachable)) this.base = this.empty(err);
        // A fresh connection next time: kafkajs keeps retrying dead sockets otherwise.
        await this.admin?.disconnect().catch(() => {});
        this.admin = null;
      }
    } finally {
      clearTimeout(timer);
    }
    return this.publish();
  }

  private publish(): KafkaStats {
    this.latest = withProbes(this.base, this.known, (nodeId) => this.probes.status(nodeId));
    this.opts.hub.publish('kafka:stats', this.latest);
    return this.latest;
  }

  /**
   * A broker that just fell silent may be the one the stats client asks for metadata (it picks any
   * broker it is connected to): the next poll starts a new client, seeded on one that answers,
   * rather than waiting out a request timeout on it.
   */
  private leaveSilentBrokers(): void {
    const silent = new Set([...this.known.keys()].filter((id) => this.isSilent(id)));
    const newly = [...silent].some((id) => !this.silentIds.has(id));
    this.silentIds = silent;
    if (newly && this.admin) {
      this.abandoned++;
      void this.admin.disconnect().catch(() => {});
      this.admin = null;
    }
  }

  /** Whether this broker's probe gets no answer right now. */
  private isSilent(nodeId: number): boolean {
    return this.probes.status(nodeId)?.state === 'not-responding';
  }

  /** Whether the broker at this address is known and silent. */
  private silentAt(address: string): boolean {
    for (const [nodeId, b] of this.known) {
      if (`${b.host}:${b.port}` === address) return this.isSilent(nodeId);
    }
    return false;
  }

  private probeTargets(): Map<number, ProbeTarget> {
    return new Map([...this.known].filter(([, b]) => b.port > 0));
  }

  private async client(): Promise<Admin> {
    const brokers = this.opts.brokers();
    const key = brokers.join(',');
    const security = this.opts.security?.();
    if (this.admin && this.adminFor === key && this.adminSecurity === security) return this.admin;
    await this.admin?.disconnect().catch(() => {});
    // Another cluster (a profile switch, other ports): its brokers are learnt afresh.
    if (key !== this.adminFor) this.known.clear();
    fixKafkajsIdleTimers();
    const kafka = new Kafka({
      clientId: 'walkstream-app-stats',
      brokers: seedOrder(brokers, this.seedOffset++, (address) => this.silentAt(address)),
      connectionTimeout: 1_000,
      requestTimeout: 3_000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
      ...security,
    });
    this.admin = kafka.admin({ retry: { retries: 0 } });
    this.adminFor = key;
    this.adminSecurity = security;
    await this.admin.connect();
    return this.admin;
  }

  private async collect(): Promise<KafkaStats> {
    const admin = await this.client();
    const cluster = await admin.describeCluster();
    const alive = new Set(cluster.brokers.map((b) => b.nodeId));
    const brokers: BrokerStats[] = cluster.brokers.map((b) => ({
      nodeId: b.nodeId,
      host: b.host,
      port: b.port,
      up: true,
      isController: b.nodeId === cluster.controller,
      probe: null,
    }));
    for (const b of brokers) this.known.set(b.nodeId, { host: b.host, port: b.port });
    let partitions: PartitionStats[] = [];
    const topics = await admin.listTopics();
    if (topics.includes(this.opts.topic)) {
      // End offsets come from each partition's leader: one that just died fails the whole request
      // until the cluster moves its partitions (about its 9 s session timeout). The rest of what
      // the cluster says is still true meanwhile, so the last poll's offsets and rates stand in.
      // The three asks go out together: a frozen leader or group coordinator costs one request
      // timeout, not one per ask, and the poll ends within its own timeout.
      const [meta, offsets, group] = await Promise.all([
        admin.fetchTopicMetadata({ topics: [this.opts.topic] }),
        admin.fetchTopicOffsets(this.opts.topic).catch(() => null),
        admin
          .fetchOffsets({ groupId: this.opts.consumerGroup, topics: [this.opts.topic] })
          .then((r) => r[0]?.partitions ?? [])
          .catch(() => []),
      ]);
      const last = new Map(this.base.partitions.map((p) => [p.partition, p]));
      const now = Date.now();
      const end = offsets
        ? new Map(offsets.map((o) => [o.partition, Number(o.high)]))
        : new Map([...last].map(([partition, p]) => [partition, p.endOffset]));
      partitions = (meta.topics[0]?.partitions ?? [])
        .map((p) => {
          const endOffset = end.get(p.partitionId) ?? 0;
          const before = this.prev?.offsets.get(p.partitionId);
          const seconds = this.prev ? (now - this.prev.at) / 1000 : 0;
          const committed = group.find((g) => g.partition === p.partitionId);
          const consumerOffset = committed && Number(committed.offset) >= 0 ? Number(committed.offset) : null;
          return {
            partition: p.partitionId,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            underReplicated: p.isr.length < p.replicas.length,
            endOffset,
            messagesPerSecond: !offsets
              ? (last.get(p.partitionId)?.messagesPerSecond ?? 0)
              : before !== undefined && seconds > 0
                ? Math.max(0, (endOffset - before) / seconds)
                : 0,
            consumerOffset,
            lag: consumerOffset === null ? null : Math.max(0, endOffset - consumerOffset),
          };
        })
        .sort((a, b) => a.partition - b.partition);
      if (offsets) this.prev = { at: now, offsets: end };
      // Brokers the topic names as replicas but the cluster does not list as live are the down ones.
      const down = new Set(partitions.flatMap((p) => p.replicas).filter((r) => !alive.has(r)));
      for (const nodeId of down) {
        const seen = this.known.get(nodeId);
        brokers.push({
          nodeId,
          host: seen?.host ?? '',
          port: seen?.port ?? 0,
          up: false,
          isController: false,
          probe: null,
        });
      }
    }
    brokers.sort((a, b) => a.nodeId - b.nodeId);
    const messagesPerSecond = partitions.reduce((a, p) => a + p.messagesPerSecond, 0);
    const lags = partitions.map((p) => p.lag).filter((l): l is number => l !== null);
    const totalLag = lags.length > 0 ? lags.reduce((a, b) => a + b, 0) : null;
    return {
      reachable: true,
      error: null,
      brokers,
      controller: cluster.controller,
      topic: this.opts.topic,
      partitions,
      underReplicated: partitions.filter((p) => p.underReplicated).length,
      messagesPerSecond,
      consumerGroup: this.opts.consumerGroup,
      totalLag,
      lagSeconds:
        totalLag !== null && messagesPerSecond > 0 ? totalLag / messagesPerSecond : totalLag === 0 ? 0 : null,
      at: Date.now(),
    };
  }

  private empty(err: unknown): KafkaStats {
    const error =
      err && !(err instanceof WalkstreamError)
        ? new WalkstreamError(
            'KAFKA_UNREACHABLE',
            `No answer from the brokers ${this.opts.brokers().join(', ')} (${(err as Error).message ?? err})`,
            { retriable: true },
          )
        : err;
    return {
      reachable: false,
      error: error ? toErrorData(error) : null,
      brokers: [],
      controller: null,
      topic: this.opts.topic,
      partitions: [],
      underReplicated: 0,
      messagesPerSecond: 0,
      consumerGroup: this.opts.consumerGroup,
      totalLag: null,
      lagSeconds: null,
      at: Date.now(),
    };
  }
}

/**
 * The seed brokers for a new stats client. kafkajs connects to the first one listed and, with no
 * retries, never tries another, so one dead broker-1 would blind the stats: each new client starts
 * one further on (`turn`). A broker whose probe gets no answer (frozen, cut off) goes last: its TCP
 * port still accepts, so a client seeded there would wait out every request, and the panel would
 * say Kafka does not answer while the other brokers serve.
 */
export function seedOrder(
  brokers: readonly string[],
  turn: number,
  silent: (address: string) => boolean,
): string[] {
  const offset = turn % Math.max(1, brokers.length);
  const rotated = [...brokers.slice(offset), ...brokers.slice(0, offset)];
  return [...rotated.filter((b) => !silent(b)), ...rotated.filter((b) => silent(b))];
}
