/** One Kafka record: keyed by walk id so every walk stays ordered within its partition. */
export interface KeyedRecord {
  key: string;
  value: string;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
  minInsyncReplicas: number;
}

/**
 * Where produced records go. The producer only knows this interface; kafkajs stays behind it in
 * kafka-sink.ts, and dry runs and tests use other implementations.
 */
export interface RecordSink {
  /** Connects, failing with a clear error after a bounded wait if the destination is unreachable. */
  connect(): Promise<void>;
  /** Creates the topic if it does not exist yet; an existing topic is left as it is. */
  ensureTopic(spec: TopicSpec): Promise<void>;
  /**
   * Resolves once every record is acknowledged (acks=all). Retries what failed by itself, telling
   * `onRetry`; rejects only when it cannot go on (e.g. disconnected while retrying).
   */
  send(
    records: readonly KeyedRecord[],
    onRetry?: (err: import('./errors').WalkstreamError) => void,
  ): Promise<void>;
  disconnect(): Promise<void>;
  /**
   * How many partitions the topic has, known once ensureTopic() resolved. With `partitionOf`, it
   * lets the producer send each partition on its own, so one unreachable broker holds back only
   * the partitions it leads. Sinks without partitions leave both out and get one send at a time.
   */
  partitionCount?(): number;
  /** The partition a key's records go to (the same key always to the same partition). */
  partitionOf?(key: string): number;
}

/**
 * Prints line protocol to a stream instead of sending it: the CLI's --dry-run. When the reader goes
 * away (EPIPE, e.g. `| head`), `onClosed` is called and later records are discarded, as any Unix
 * filter does.
 */
export function createStreamSink(out: NodeJS.WritableStream, onClosed: () => void = () => {}): RecordSink {
  let closed = false;
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' || closed) return;
    closed = true;
    onClosed();
  });
  return {
    connect: async () => {},
    ensureTopic: async () => {},
    send: (records) =>
      new Promise<void>((resolve, reject) => {
        if (closed) return resolve();
        let text = '';
        for (const r of records) text += `${r.value}\n`;
        if (out.write(text)) resolve();
        else {
          // Respect the pipe's own backpressure (e.g. `| head`), so memory stays bounded.
          const onDrain = () => {
            out.off('error', onError);
            resolve();
          };
          const onError = (err: NodeJS.ErrnoException) => {
            out.off('drain', onDrain);
            if (err.code === 'EPIPE') resolve();
            else reject(err);
          };
          out.once('drain', onDrain);
          out.once('error', onError);
        }
      }),
    disconnect: async () => {},
  };
}
