import {
  createKafkaSink,
  createProducer,
  type KafkaSinkOptions,
  mergeParams,
  type RecordSink,
  type TopicSpec,
  type WalkParams,
  type WalkParamsPatch,
  type WalkProducer,
} from '@walkstream/producer';
import type { ApiErrorData, ProducerStatus } from '../contract/data';
import { toErrorData } from '../contract/errors';
import type { EventHub } from '../events/event-hub';

export interface ProducerServiceOptions {
  brokers: () => string[];
  /** TLS and SASL for the user's own cluster (connect mode); none for the local stack. */
  security?: () => KafkaSinkOptions['security'];
  /** Replication of the topic when the producer has to create it; the producer's default otherwise. */
  topicReplication?: () => Pick<TopicSpec, 'replicationFactor' | 'minInsyncReplicas'> | undefined;
  hub: EventHub;
  initialParams: WalkParams;
  /** Called with every accepted parameter change, to persist it. */
  onParams?: (params: WalkParams) => void;
  /** Injected for tests; the real one is kafkajs behind createKafkaSink. */
  createSink?: (brokers: string[]) => RecordSink;
  connectTimeoutMs?: number;
}

/**
 * The producer library run in the main process. Parameters live here between runs, so sliders
 * work while it is stopped too; a start refuses with KAFKA_UNREACHABLE while no broker answers.
 */
export class ProducerService {
  private producer: WalkProducer | null = null;
  private params: WalkParams;
  private error: ApiErrorData | null = null;
  private startedAt: number | null = null;

  constructor(private readonly opts: ProducerServiceOptions) {
    this.params = opts.initialParams;
  }

  status(): ProducerStatus {
    return {
      state: this.producer?.state ?? 'idle',
      startedAt: this.startedAt,
      params: this.params,
      metrics: this.producer?.metrics() ?? null,
      error: this.error,
    };
  }

  async start(): Promise<ProducerStatus> {
    if (this.producer && (this.producer.state === 'running' || this.producer.state === 'starting'))
      return this.status();
    const brokers = this.opts.brokers();
    const sink =
      this.opts.createSink?.(brokers) ??
      createKafkaSink({
        brokers,
        security: this.opts.security?.(),
        topic: 'random-walks',
        connectTimeoutMs: this.opts.connectTimeoutMs ?? 10_000,
      });
    const producer = createProducer({ sink, params: this.params, topic: this.opts.topicReplication?.() });
    this.producer = producer;
    this.error = null;
    // Taken before the first tick, so every point of this run is stamped at or after it.
    this.startedAt = Date.now();
    producer.on('metrics', () => this.publish());
    producer.on('state', () => this.publish());
    producer.on('error', (e) => {
      this.error = e.toJSON();
      this.publish();
    });
    try {
      await producer.start();
    } catch (err) {
      this.error = toErrorData(err);
      this.publish();
      throw err;
    }
    return this.status();
  }

  async stop(): Promise<ProducerStatus> {
    await this.producer?.stop();
    this.publish();
    return this.status();
  }

  /** Validates against the current parameters; applied live when running, kept otherwise. */
  setParams(patch: WalkParamsPatch): ProducerStatus {
    const next = mergeParams(this.params, patch);
    if (this.producer?.state === 'running') this.producer.setParams(patch);
    this.params = next;
    this.opts.onParams?.(next);
    this.publish();
    return this.status();
  }

  private publish(): void {
    this.opts.hub.publish('producer:status', this.status());
  }
}
