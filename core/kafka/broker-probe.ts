/**
 * Asks each broker directly whether it answers, apart from kafkajs: a frozen broker (a paused
 * container, a long GC pause, a hung VM) still accepts TCP connections — the kernel completes the
 * handshake — and the cluster keeps listing it until its session times out, so metadata alone shows
 * it as up for many seconds. The probe sends the smallest request every broker answers, before any
 * authentication: ApiVersions v0.
 */
import { connect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { BrokerProbe, BrokerStats, KafkaStats } from '../contract/data';

export interface ProbeTarget {
  host: string;
  port: number;
}

export type ProbeOutcome =
  | { state: 'answering'; rttMs: number }
  | { state: 'not-responding'; detail: string }
  | { state: 'refused'; detail: string }
  | { state: 'unreachable'; detail: string };

export interface ProbeOptions {
  /** No answer (or no connection) within this long counts as not answering. */
  timeoutMs?: number;
  /**
   * How long a connected probe keeps waiting for its late answer after `timeoutMs`: a broker that
   * wakes up answers it at once, and a frozen one is not sent a new connection every round (they
   * would fill its listen backlog). After this the connection is dropped and the next probe dials anew.
   */
  maxWaitMs?: number;
  /** Called once when a connected probe's answer is `timeoutMs` late, before the outcome. */
  onNoAnswer?: () => void;
  /** Opens the connection; a TLS listener needs a tls.connect here. */
  dial?: (target: ProbeTarget) => Socket;
  clientId?: string;
  correlationId?: number;
  /** Monotonic ms, for the round trip. */
  monotonic?: () => number;
  /** Ends the probe at once (the app shutting down): its connection must not hold the process. */
  signal?: AbortSignal;
}

const API_VERSIONS = 18;
const NOT_ANSWERING = 'accepts connections, answers nothing';

/** ApiVersions v0: int32 size, int16 api_key, int16 api_version, int32 correlation_id, string client_id. */
export function apiVersionsRequest(correlationId: number, clientId: string): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const frame = Buffer.alloc(4 + 2 + 2 + 4 + 2 + id.length);
  frame.writeInt32BE(frame.length - 4, 0);
  frame.writeInt16BE(API_VERSIONS, 4);
  frame.writeInt16BE(0, 6);
  frame.writeInt32BE(correlationId, 8);
  frame.writeInt16BE(id.length, 12);
  id.copy(frame, 14);
  return frame;
}

/**
 * One probe: connect, send ApiVersions, wait for a reply carrying our correlation id. Never
 * rejects. A broker that closes the connection without a reply counts as refusing.
 */
export function probeBroker(target: ProbeTarget, opts: ProbeOptions = {}): Promise<ProbeOutcome> {
  const timeoutMs = opts.timeoutMs ?? 1_500;
  const maxWaitMs = Math.max(timeoutMs, opts.maxWaitMs ?? 10_000);
  const correlationId = opts.correlationId ?? 1;
  const monotonic = opts.monotonic ?? (() => performance.now());
  const dial = opts.dial ?? ((t: ProbeTarget) => connect({ host: t.host, port: t.port }));

  return new Promise((resolve) => {
    const socket = dial(target);
    let connected = false;
    let sentAt = 0;
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (outcome: ProbeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(slow);
      clearTimeout(giveUp);
      opts.signal?.removeEventListener('abort', aborted);
      socket.destroy();
      resolve(outcome);
    };
    const aborted = () => finish({ state: 'unreachable', detail: 'probe cancelled' });
    const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

    const slow = setTimeout(() => {
      if (!connected) {
        finish({ state: 'unreachable', detail: `no connection within ${seconds(timeoutMs)}` });
        return;
      }
      opts.onNoAnswer?.();
    }, timeoutMs);
    const giveUp = setTimeout(
      () =>
        finish({
          state: 'not-responding',
          detail: NOT_ANSWERING,
        }),
      maxWaitMs,
    );
    if (opts.signal?.aborted) aborted();
    else opts.signal?.addEventListener('abort', aborted);

    socket.once('connect', () => {
      connected = true;
      sentAt = monotonic();
      socket.write(apiVersionsRequest(correlationId, opts.clientId ?? 'walkstream-app-probe'));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // The size prefix and the correlation id are enough: whatever the broker says, it answered.
      if (received.length < 8) return;
      if (received.readInt32BE(4) !== correlationId) {
        finish({
          state: 'refused',
          detail: 'answers with a frame that is not ours: is this a Kafka listener?',
        });
        return;
      }
      finish({ state: 'answering', rttMs: Math.max(0, monotonic() - sentAt) });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (code === 'ECONNREFUSED') finish({ state: 'refused', detail: 'connection refused' });
      else if (code === 'ECONNRESET' && connected)
        finish({ state: 'refused', detail: 'closes the connection without answering' });
      else finish({ state: 'unreachable', detail: code ? `${code}: ${err.message}` : err.message });
    });
    socket.on('close', () =>
      finish(
        connected
          ? { state: 'refused', detail: 'closes the connection without answering' }
          : { state: 'unreachable', detail: 'connection closed before it was made' },
      ),
    );
  });
}

/**
 * The dialer for a cluster's TLS setting (kafkajs's `ssl`): TLS listeners get a TLS connection,
 * else the default plain one. SASL needs nothing: brokers answer ApiVersions before authentication.
 */
export function dialFor(ssl: boolean | ConnectionOptions | undefined): ProbeOptions['dial'] {
  if (!ssl) return undefined;
  return (t) =>
    tlsConnect({ servername: t.host, ...(typeof ssl === 'object' ? ssl : {}), host: t.host, port: t.port });
}

export interface BrokerProbesOptions {
  /** Epoch ms, for `since`. */
  now?: () => number;
  /** Told whenever a broker's state (not only its round trip) changes. */
  onChange?: () => void;
  probe?: (target: ProbeTarget, opts: ProbeOptions) => Promise<ProbeOutcome>;
  timeoutMs?: number;
  maxWaitMs?: number;
  /** Read at each probe: the cluster's TLS setting may change. */
  dial?: () => ProbeOptions['dial'];
}

interface Entry {
  target: ProbeTarget;
  inFlight: boolean;
  status: BrokerProbe | null;
}

/**
 * The latest probe of each broker, keyed by node id. `probe()` starts one probe per broker that
 * has none in flight, so a broker that hangs is asked again only once its probe ends: slow probes
 * never pile up.
 */
export class BrokerProbes {
  private readonly entries = new Map<number, Entry>();
  private nextCorrelationId = 1;
  private cancel = new AbortController();
  private readonly now: () => number;

  constructor(private readonly opts: BrokerProbesOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  /** Probes these brokers (and forgets others); returns when every probe it started has ended. */
  probe(targets: Map<number, ProbeTarget>): Promise<void> {
    for (const nodeId of this.entries.keys()) if (!targets.has(nodeId)) this.entries.delete(nodeId);
    const started: Promise<void>[] = [];
    for (const [nodeId, target] of targets) {
      let entry = this.entries.get(nodeId);
      if (!entry || entry.target.host !== target.host || entry.target.port !== target.port) {
        if (entry?.inFlight) continue; // the old address's probe ends first
        entry = { target, inFlight: false, status: null };
        this.entries.set(nodeId, entry);
      }
      if (entry.inFlight) continue;
      started.push(this.run(entry));
    }
    return Promise.all(started).then(() => {});
  }

  /** Ends the probes in flight, telling nobody; later `probe()` calls start afresh. */
  close(): void {
    this.cancel.abort();
    this.cancel = new AbortController();
    this.entries.clear();
  }

  /** The latest state of a broker; null before its first probe ends. */
  status(nodeId: number): BrokerProbe | null {
    return this.entries.get(nodeId)?.status ?? null;
  }

  private async run(entry: Entry): Promise<void> {
    entry.inFlight = true;
    const { signal } = this.cancel;
    const correlationId = this.nextCorrelationId++;
    this.nextCorrelationId %= 2 ** 31;
    try {
      const outcome = await (this.opts.probe ?? probeBroker)(entry.target, {
        timeoutMs: this.opts.timeoutMs,
        maxWaitMs: this.opts.maxWaitMs,
        dial: this.opts.dial?.(),
        correlationId,
        signal,
        onNoAnswer: () =>
          this.set(entry, {
            state: 'not-responding',
            rttMs: null,
            detail: NOT_ANSWERING,
          }),
      });
      if (signal.aborted) return;
      if (outcome.state === 'answering')
        this.set(entry, { state: 'answering', rttMs: outcome.rttMs, detail: '' });
      else this.set(entry, { state: outcome.state, rttMs: null, detail: outcome.detail });
    } finally {
      entry.inFlight = false;
    }
  }

  private set(entry: Entry, next: Omit<BrokerProbe, 'since'>): void {
    const prev = entry.status;
    const changed = prev?.state !== next.state;
    entry.status = { ...next, since: changed || !prev ? this.now() : prev.since };
    if (changed) this.opts.onChange?.();
  }
}

/**
 * The probes decide `up` for the brokers the metadata lists. When the poll failed (a frozen
 * partition leader can time it out), the brokers seen before are still listed, with their probes.
 */
export function withProbes(
  stats: KafkaStats,
  known: ReadonlyMap<number, ProbeTarget>,
  probeOf: (nodeId: number) => BrokerProbe | null,
): KafkaStats {
  const listed: BrokerStats[] = stats.reachable
    ? stats.brokers
    : [...known].map(([nodeId, b]) => ({ nodeId, ...b, up: true, isController: false, probe: null }));
  const brokers = listed
    .map((b) => {
      const probe = probeOf(b.nodeId);
      return { ...b, up: b.up && (probe === null || probe.state === 'answering'), probe };
    })
    .sort((a, b) => a.nodeId - b.nodeId);
  return { ...stats, brokers };
}
