import {
  type Admin,
  Kafka,
  type KafkaConfig,
  type LogEntry,
  logLevel,
  Partitioners,
  type PartitionMetadata,
  type Producer,
} from 'kafkajs';
import { WalkstreamError } from './errors';
import { fixKafkajsIdleTimers } from './kafkajs-idle-timer-fix';
import type { KeyedRecord, RecordSink, TopicSpec } from './record-sink';
import { watchdogSocketFactory } from './response-watchdog';

export interface KafkaSinkOptions {
  brokers: readonly string[];
  topic: string;
  clientId?: string;
  /** TLS and SASL, for clusters that need them (the app's connect mode); plaintext by default. */
  security?: Pick<KafkaConfig, 'ssl' | 'sasl'>;
  /** How long connect() may take before it gives up with KAFKA_UNREACHABLE. */
  connectTimeoutMs?: number;
  /** Upper bound of the exponential backoff between retries of a failed request. */
  maxRetryTimeMs?: number;
  /**
   * How long a broker may leave a produce request unanswered before its connection is dropped and
   * the request retried where the refreshed metadata says the partition's leader now is.
   */
  silenceTimeoutMs?: number;
  log?: (level: 'error' | 'warn' | 'info', message: string) => void;
}

const KAFKAJS_LEVELS: Record<number, 'error' | 'warn' | 'info'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
};

/**
 * The only place that knows kafkajs. Idempotent producer with acks=all, so a request retried after
 * a broker failure cannot create duplicates, and at most one request in flight per partition, which
 * kafkajs' idempotence needs to keep sequence numbers in order: callers must not send records of
 * one partition while an earlier send holding that partition's records is still pending.
 */
export function createKafkaSink(opts: KafkaSinkOptions): RecordSink {
  fixKafkajsIdleTimers();
  const brokers = [...opts.brokers];
  const connectTimeoutMs = opts.connectTimeoutMs ?? 15_000;
  const maxRetryTime = opts.maxRetryTimeMs ?? 2_000;
  const log = rateLimited(opts.log ?? (() => {}), 10_000);
  // kafkajs logs every failed attempt; while connecting we report one clear error instead.
  let quiet = true;
  // The cluster needs about 10 s to move leadership off a broker that stopped answering (its KRaft
  // session, broker.session.timeout.ms, is 9 s; measured 9-15 s by tests/faults/broker-loss.test.ts).
  // A few seconds of silence is already far beyond a healthy broker's answer; dropping a connection
  // that was merely slow costs a reconnect and a retry, which the broker recognises by its sequence
  // number and does not write twice.
  const silenceTimeoutMs = opts.silenceTimeoutMs ?? 3_000;
  const kafkaOptions = {
    clientId: opts.clientId ?? 'walkstream-producer',
    brokers,
    ...opts.security,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, maxRetryTime, retries: 2 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      // Bounded retries are deliberate (see newProducer below); kafkajs warns on every producer.
      if (entry.log.message.startsWith('Limiting retries for the idempotent producer')) return;
      const level = KAFKAJS_LEVELS[entry.level];
      if (level && !quiet) log(level, `kafkajs ${entry.namespace}: ${entry.log.message}`);
    },
  };
  const kafka = new Kafka(kafkaOptions);
  // The producer's own client, so the watchdog never cuts the admin's requests (topic creation
  // legitimately takes seconds). Its request timeout only backs the watchdog up.
  const producerKafka = new Kafka({
    ...kafkaOptions,
    requestTimeout: 2 * silenceTimeoutMs,
    socketFactory: watchdogSocketFactory(silenceTimeoutMs),
  });
  let admin: Admin | undefined;
  // One kafkajs producer per partition, each with its own connections, metadata and sequence
  // numbers. Sharing one, the partitions led by a silent broker queue behind each other on its
  // per-broker lock, each waiting out its own silence timeout: measured, the last of six partitions
  // resumed 15 s after the cluster had moved them. The first producer is made by connect(), the
  // others once ensureTopic() knows how many partitions there are.
  const producers: Producer[] = [];
  const newProducer = () =>
    producerKafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // A few attempts, then send() below reports the failure and sends the very same messages
      // again, as long as it takes: a send blocks while too few replicas are in sync and resumes
      // as soon as they are back. kafkajs warns that bounded retries may break idempotence: only
      // if the caller then sent different messages, since a failed request returns its sequence
      // numbers, and the same messages get the same numbers again.
      retry: { initialRetryTime: 100, maxRetryTime, retries: 4 },
    });
  // Each record's partition is computed here (Kafka's murmur2 of the key, as the Java client and
  // kafkajs do) from the topic's real partition count. Left to kafkajs, it is computed from the
  // metadata of the moment, which right after a topic is created can list too few partitions: a
  // retried batch then lands in another partition, and is written twice.
  let partitionCount = 0;
  let closed = false;
  const partitioner = Partitioners.DefaultPartitioner();
  let partitionMetadata: PartitionMetadata[] = [];
  const partitionOf = (key: string): number => {
    if (partitionMetadata.length !== partitionCount) {
      partitionMetadata = Array.from({ length: partitionCount }, (_, i) => ({
        partitionId: i,
        leader: 0,
        partitionErrorCode: 0,
        replicas: [],
        isr: [],
      }));
    }
    return partitioner({ topic: opts.topic, partitionMetadata, message: { key, value: null } });
  };

  const unreachable = (cause: unknown, waitedMs: number) =>
    new WalkstreamError(
      'KAFKA_UNREACHABLE',
      `Cannot reach the Kafka brokers ${brokers.join(', ')} (gave up after ${(waitedMs / 1000).toFixed(1)} s: ` +
        `${describe(cause)}). Check that the brokers are running (start the pipeline or ` +
        '`docker compose up -d` in stack/) and that the broker list is right.',
      { retriable: true, cause, details: { brokers } },
    );

  return {
    async connect() {
      // Admin requests (topic creation, waiting for its leaders) meet transient errors while a new
      // topic's metadata spreads through the cluster: give them more retries than the client default.
      admin = kafka.admin({ retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 10 } });
      const producer = newProducer();
      producers.splice(0, producers.length, producer);
      const started = Date.now();
      let lastCause: unknown;
      // Brokers that are still starting refuse connections for a few seconds: keep trying until
      // the deadline, then fail with one clear error.
      for (;;) {
        const remaining = connectTimeoutMs - (Date.now() - started);
        try {
          await withTimeout(
            (async () => {
              await admin?.connect();
              // connect() alone can succeed lazily; a metadata round trip proves a broker answers.
              await admin?.listTopics();
              await producer.connect();
            })(),
            Math.max(remaining, 1),
          );
          quiet = false;
          return;
        } catch (err) {
          await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
          // The final attempt usually ends in our own timeout; the refusal before it says more.
          if (!(err instanceof DeadlineError) || lastCause === undefined) lastCause = err;
          if (Date.now() - started + 500 >= connectTimeoutMs)
            throw unreachable(lastCause, Date.now() - started);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    },

    async ensureTopic(spec: TopicSpec) {
      if (!admin) throw new WalkstreamError('NOT_CONNECTED', 'ensureTopic() called before connect()');
      partitionCount = await createOrFindTopic(admin, spec);
      const started = Date.now();
      try {
        const more = Array.from({ length: partitionCount - producers.length }, newProducer);
        producers.push(...more);
        await Promise.all(more.map((p) => p.connect()));
      } catch (err) {
        throw unreachable(err, Date.now() - started);
      }
    },

    async send(records: readonly KeyedRecord[], onRetry?: (err: WalkstreamError) => void) {
      if (partitionCount === 0 || producers.length < partitionCount) {
        throw new WalkstreamError('NOT_CONNECTED', 'send() called before connect() and ensureTopic()');
      }
      // One kafkajs send per partition. A kafkajs send spanning several brokers retries on a
      // partial failure while its other requests are still in flight, and re-sends those with new
      // sequence numbers: duplicates the idempotent producer cannot catch (seen here right after a
      // topic was created). One partition per send keeps each retry to its own request, and only
      // the partitions that failed are sent again.
      let pending = groupByPartition(records, partitionOf);
      let attempt = 0;
      while (pending.size > 0) {
        const groups = [...pending.entries()];
        const results = await Promise.allSettled(
          groups.map(([partition, messages]) =>
            (producers[partition] as Producer).send({
              topic: opts.topic,
              acks: -1,
              messages: messages.map((r) => ({ key: r.key, value: r.value, partition })),
            }),
          ),
        );
        const failed = new Map<number, KeyedRecord[]>();
        results.forEach((r, i) => {
          if (r.status === 'rejected') failed.set(groups[i]?.[0] as number, groups[i]?.[1] as KeyedRecord[]);
        });
        if (failed.size === 0) return;
        const reason = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
        if (closed) {
          const undelivered = [...failed.values()].reduce((a, g) => a + g.length, 0);
          throw new WalkstreamError(
            'KAFKA_SEND_FAILED',
            `Sending to topic "${opts.topic}" stopped with ${undelivered} points undelivered: ${describe(reason)}`,
            {
              retriable: true,
              cause: reason,
              details: { undelivered },
            },
          );
        }
        onRetry?.(
          new WalkstreamError(
            'KAFKA_SEND_FAILED',
            `Sending to topic "${opts.topic}" failed, retrying ${failed.size} partition(s): ${describe(reason)}`,
            {
              retriable: true,
              cause: reason,
            },
          ),
        );
        pending = failed;
        attempt++;
        await new Promise((r) => setTimeout(r, Math.min(maxRetryTime, 100 * 2 ** Math.min(attempt, 5))));
      }
    },

    async disconnect() {
      closed = true;
      await Promise.allSettled([...producers.map((p) => p.disconnect()), admin?.disconnect()]);
    },

    partitionCount: () => partitionCount,
    partitionOf,
  };
}

/** The topic's partition count, creating the topic first if it does not exist. */
async function createOrFindTopic(admin: Admin, spec: TopicSpec): Promise<number> {
  try {
    const existing = await admin.listTopics();
    if (existing.includes(spec.topic)) {
      return await readyPartitionCount(admin, spec.topic, 0);
    }
    await admin.createTopics({
      // Leaders are awaited below, tolerating the transient "unknown topic" answers of a
      // cluster still spreading the new metadata (kafkajs' own wait gives up on those).
      waitForLeaders: false,
      topics: [
        {
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: [{ name: 'min.insync.replicas', value: String(spec.minInsyncReplicas) }],
        },
      ],
    });
    return await readyPartitionCount(admin, spec.topic, spec.partitions);
  } catch (err) {
    if (isKafkaError(err, 'TOPIC_ALREADY_EXISTS')) {
      return await readyPartitionCount(admin, spec.topic, 0);
    }
    const hint = isKafkaError(err, 'INVALID_REPLICATION_FACTOR')
      ? ` The cluster has fewer live brokers than the replication factor ${spec.replicationFactor}: start all brokers, or lower it.`
      : '';
    throw new WalkstreamError(
      'TOPIC_CREATE_FAILED',
      `Could not create topic "${spec.topic}" (${spec.partitions} partitions, RF ${spec.replicationFactor}): ${describe(err)}.${hint}`,
      { retriable: true, cause: err, details: { ...spec } },
    );
  }
}

function groupByPartition(
  records: readonly KeyedRecord[],
  partitionOf: (key: string) => number,
): Map<number, KeyedRecord[]> {
  const groups = new Map<number, KeyedRecord[]>();
  for (const r of records) {
    const p = partitionOf(r.key);
    const g = groups.get(p);
    if (g) g.push(r);
    else groups.set(p, [r]);
  }
  return groups;
}

/**
 * The topic's partition count once every partition has a leader (a new topic's metadata takes a
 * moment to reach every broker). `atLeast` is the count just created, 0 for an existing topic.
 */
async function readyPartitionCount(admin: Admin, topic: string, atLeast: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => null);
    const partitions = meta?.topics[0]?.partitions ?? [];
    if (partitions.length > 0 && partitions.length >= atLeast && partitions.every((p) => p.leader >= 0)) {
      return partitions.length;
    }
    if (Date.now() > deadline) {
      throw new WalkstreamError(
        'TOPIC_NOT_READY',
        `Topic "${topic}" has no leader for every partition after 30 s. Are all brokers up?`,
        {
          retriable: true,
        },
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Drops a message repeated within `windowMs`, so a broker outage does not flood the log. */
function rateLimited(
  log: (level: 'error' | 'warn' | 'info', message: string) => void,
  windowMs: number,
): (level: 'error' | 'warn' | 'info', message: string) => void {
  const lastSeen = new Map<string, number>();
  return (level, message) => {
    const now = Date.now();
    if (now - (lastSeen.get(message) ?? -Infinity) < windowMs) return;
    if (lastSeen.size > 1_000) lastSeen.clear();
    lastSeen.set(message, now);
    log(level, message);
  };
}

function isKafkaError(err: unknown, type: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { type?: string; errors?: unknown[] };
  return e.type === type || (Array.isArray(e.errors) && e.errors.some((x) => isKafkaError(x, type)));
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

class DeadlineError extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
