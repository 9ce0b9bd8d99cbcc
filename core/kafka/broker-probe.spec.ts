/**
 * The broker probe against fake brokers on real loopback sockets (node:net): one that answers
 * ApiVersions, one that accepts connections and says nothing (what a paused container does), one
 * that answers late, one that hangs up, and a closed port. Timeouts are scaled down.
 */
import { createServer, type Server, Socket } from 'node:net';
import { type ConnectionOptions, createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BrokerProbe, KafkaStats } from '../contract/data';
import {
  apiVersionsRequest,
  BrokerProbes,
  dialFor,
  type ProbeOutcome,
  type ProbeTarget,
  probeBroker,
  withProbes,
} from './broker-probe';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  vi.useRealTimers();
});

/** A fake broker; `onFrame` gets each request frame and may answer on the socket. */
async function fakeBroker(
  onFrame: (frame: Buffer, socket: Socket) => void,
  tls?: TlsOptions,
): Promise<ProbeTarget> {
  const sockets = new Set<Socket>();
  const listener = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) onFrame(buf, socket);
    });
  };
  const server = tls ? createTlsServer(tls, listener) : createServer(listener);
  // close() waits for open connections: a silent broker's are ended here.
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as Server['close'];
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return { host: '127.0.0.1', port: addr.port };
}

/** An ApiVersions v0 reply: int32 size, int32 correlation_id, int16 error_code, empty array. */
function reply(frame: Buffer): Buffer {
  const out = Buffer.alloc(4 + 4 + 2 + 4);
  out.writeInt32BE(out.length - 4, 0);
  out.writeInt32BE(frame.readInt32BE(8), 4);
  return out;
}

async function closedPort(): Promise<ProbeTarget> {
  const target = await fakeBroker(() => {});
  const server = servers.pop() as Server;
  await new Promise((r) => server.close(r));
  return target;
}

describe('apiVersionsRequest', () => {
  it('is an ApiVersions v0 frame: size, api key 18, version 0, correlation id, client id', () => {
    const f = apiVersionsRequest(42, 'probe');
    expect(f.readInt32BE(0)).toBe(f.length - 4);
    expect(f.readInt16BE(4)).toBe(18);
    expect(f.readInt16BE(6)).toBe(0);
    expect(f.readInt32BE(8)).toBe(42);
    expect(f.readInt16BE(12)).toBe(5);
    expect(f.subarray(14).toString()).toBe('probe');
  });
});

describe('probeBroker', () => {
  it('a broker that answers is answering, with the round trip', async () => {
    const seen: Buffer[] = [];
    const target = await fakeBroker((frame, socket) => {
      seen.push(frame);
      socket.write(reply(frame));
    });
    const outcome = await probeBroker(target, { correlationId: 7, clientId: 'test-probe' });
    expect(outcome.state).toBe('answering');
    expect(outcome.state === 'answering' && outcome.rttMs).toBeGreaterThanOrEqual(0);
    expect(seen[0]?.equals(apiVersionsRequest(7, 'test-probe'))).toBe(true);
  });

  it('a broker that accepts the connection but answers nothing is not responding, told at the timeout', async () => {
    const target = await fakeBroker(() => {});
    const started = performance.now();
    let toldAfter: number | null = null;
    const outcome = await probeBroker(target, {
      timeoutMs: 150,
      maxWaitMs: 400,
      onNoAnswer: () => {
        toldAfter = performance.now() - started;
      },
    });
    expect(toldAfter).toBeGreaterThanOrEqual(140);
    expect(toldAfter).toBeLessThan(400);
    expect(outcome).toEqual({ state: 'not-responding', detail: 'accepts connections, answers nothing' });
  });

  it('a late answer within the longer wait ends the probe as answering at once', async () => {
    const target = await fakeBroker((frame, socket) => setTimeout(() => socket.write(reply(frame)), 300));
    const onNoAnswer = vi.fn();
    const outcome = await probeBroker(target, { timeoutMs: 100, maxWaitMs: 5_000, onNoAnswer });
    expect(onNoAnswer).toHaveBeenCalledOnce();
    expect(outcome.state).toBe('answering');
    expect(outcome.state === 'answering' && outcome.rttMs).toBeGreaterThanOrEqual(250);
  });

  it('a closed port is refused', async () => {
    expect(await probeBroker(await closedPort(), { timeoutMs: 1_000 })).toEqual({
      state: 'refused',
      detail: 'connection refused',
    });
  });

  it('a listener that hangs up without answering is refused', async () => {
    const target = await fakeBroker((_, socket) => socket.destroy());
    expect(await probeBroker(target, { timeoutMs: 1_000 })).toEqual({
      state: 'refused',
      detail: 'closes the connection without answering',
    });
  });

  it('a listener that answers with a frame not ours is refused, not answering', async () => {
    const target = await fakeBroker((_, socket) =>
      socket.write(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')),
    );
    expect((await probeBroker(target, { timeoutMs: 1_000 })).state).toBe('refused');
  });

  it('a TLS listener answers a probe dialled with the cluster’s TLS setting, and not a plain one', async () => {
    // TLS with a pre-shared key: a real handshake without a certificate to generate.
    const psk = Buffer.from('walkstream-probe-test-key');
    const tls = { ciphers: 'PSK-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' } as const;
    const target = await fakeBroker((frame, socket) => socket.write(reply(frame)), {
      ...tls,
      pskCallback: () => psk,
    });
    const ssl: ConnectionOptions = {
      ...tls,
      pskCallback: () => ({ psk, identity: 'probe' }),
      checkServerIdentity: () => undefined,
    };
    expect(dialFor(undefined)).toBeUndefined();
    expect((await probeBroker(target, { timeoutMs: 2_000, dial: dialFor(ssl) })).state).toBe('answering');
    expect((await probeBroker(target, { timeoutMs: 300, maxWaitMs: 300 })).state).not.toBe('answering');
  });

  it('a cancelled probe ends at once', async () => {
    const target = await fakeBroker(() => {});
    const cancel = new AbortController();
    const outcome = probeBroker(target, { timeoutMs: 5_000, maxWaitMs: 10_000, signal: cancel.signal });
    setTimeout(() => cancel.abort(), 50);
    expect(await outcome).toEqual({ state: 'unreachable', detail: 'probe cancelled' });
  });

  it('no connection within the timeout is unreachable', async () => {
    // A socket that never connects: what a dropped SYN looks like.
    const outcome = await probeBroker({ host: 'x', port: 1 }, { timeoutMs: 100, dial: () => new Socket() });
    expect(outcome).toEqual({ state: 'unreachable', detail: 'no connection within 0.1 s' });
  });

  it('an unknown host is unreachable', async () => {
    const outcome = await probeBroker({ host: 'no-such-broker.invalid', port: 9092 }, { timeoutMs: 1_000 });
    expect(outcome.state).toBe('unreachable');
  });
});

describe('BrokerProbes', () => {
  const targets = (...ids: number[]) =>
    new Map(ids.map((id) => [id, { host: 'localhost', port: 9090 + id }]));

  it('keeps one probe per broker in flight: a hung broker is not asked again until its probe ends', async () => {
    const pending = new Map<number, (o: ProbeOutcome) => void>();
    const calls: number[] = [];
    const probes = new BrokerProbes({
      probe: (t) =>
        new Promise((resolve) => {
          calls.push(t.port);
          pending.set(t.port, resolve);
        }),
    });
    void probes.probe(targets(1, 2));
    void probes.probe(targets(1, 2));
    void probes.probe(targets(1, 2));
    expect(calls).toEqual([9091, 9092]);
    pending.get(9091)?.({ state: 'answering', rttMs: 2 });
    await Promise.resolve();
    void probes.probe(targets(1, 2));
    expect(calls).toEqual([9091, 9092, 9091]);
  });

  it('says since when a broker is in its state, and tells each change (not each round trip)', async () => {
    let now = 1_000;
    let next: ProbeOutcome = { state: 'answering', rttMs: 3 };
    let silent = false;
    const onChange = vi.fn();
    const probes = new BrokerProbes({
      now: () => now,
      onChange,
      probe: async (_t, opts) => {
        if (silent) opts.onNoAnswer?.();
        return next;
      },
    });
    await probes.probe(targets(2));
    expect(probes.status(2)).toEqual({ state: 'answering', rttMs: 3, since: 1_000, detail: '' });
    now = 2_000;
    next = { state: 'answering', rttMs: 5 };
    await probes.probe(targets(2));
    expect(probes.status(2)).toMatchObject({ rttMs: 5, since: 1_000 });
    expect(onChange).toHaveBeenCalledTimes(1);

    // Frozen: told at the timeout, then the probe gives up with the same state; since stays.
    now = 3_000;
    silent = true;
    next = { state: 'not-responding', detail: 'accepts connections, answers nothing' };
    await probes.probe(targets(2));
    now = 9_000;
    await probes.probe(targets(2));
    expect(probes.status(2)).toEqual({
      state: 'not-responding',
      rttMs: null,
      since: 3_000,
      detail: 'accepts connections, answers nothing',
    });
    expect(onChange).toHaveBeenCalledTimes(2);

    now = 12_000;
    silent = false;
    next = { state: 'answering', rttMs: 4 };
    await probes.probe(targets(2));
    expect(probes.status(2)).toMatchObject({ state: 'answering', since: 12_000 });
    expect(onChange).toHaveBeenCalledTimes(3);
  });

  it('close() ends the probes in flight without telling anyone (the app shutting down)', async () => {
    const target = await fakeBroker(() => {});
    const onChange = vi.fn();
    const probes = new BrokerProbes({ timeoutMs: 5_000, maxWaitMs: 10_000, onChange });
    const started = performance.now();
    const running = probes.probe(new Map([[1, target]]));
    probes.close();
    await running;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(onChange).not.toHaveBeenCalled();
    expect(probes.status(1)).toBeNull();
  });

  it('forgets brokers no longer named', async () => {
    const probes = new BrokerProbes({ probe: async () => ({ state: 'answering', rttMs: 1 }) });
    await probes.probe(targets(1, 2));
    await probes.probe(targets(1));
    expect(probes.status(1)).not.toBeNull();
    expect(probes.status(2)).toBeNull();
  });

  it('probes a real silent broker as not responding within its timeout, and answering once it speaks', async () => {
    let silent = true;
    const target = await fakeBroker((frame, socket) => {
      if (!silent) socket.write(reply(frame));
    });
    const probes = new BrokerProbes({ timeoutMs: 150, maxWaitMs: 300 });
    const t = new Map([[1, target]]);
    await probes.probe(t);
    expect(probes.status(1)?.state).toBe('not-responding');
    silent = false;
    await probes.probe(t);
    expect(probes.status(1)?.state).toBe('answering');
  });
});

describe('withProbes', () => {
  const probe = (state: BrokerProbe['state']): BrokerProbe => ({ state, rttMs: null, since: 0, detail: '' });
  const stats = (over: Partial<KafkaStats>): KafkaStats => ({
    reachable: true,
    error: null,
    brokers: [1, 2, 3].map((nodeId) => ({
      nodeId,
      host: 'localhost',
      port: 9090 + nodeId,
      up: true,
      isController: nodeId === 1,
      probe: null,
    })),
    controller: 1,
    topic: 't',
    partitions: [],
    underReplicated: 0,
    messagesPerSecond: 0,
    consumerGroup: 'g',
    totalLag: null,
    lagSeconds: null,
    at: 0,
    ...over,
  });

  it('a broker the metadata lists but whose probe gets no answer is not up', () => {
    const out = withProbes(stats({}), new Map(), (id) => probe(id === 2 ? 'not-responding' : 'answering'));
    expect(out.brokers.map((b) => [b.nodeId, b.up, b.probe?.state])).toEqual([
      [1, true, 'answering'],
      [2, false, 'not-responding'],
      [3, true, 'answering'],
    ]);
  });

  it('a broker not yet probed keeps what the metadata says', () => {
    expect(withProbes(stats({}), new Map(), () => null).brokers.every((b) => b.up)).toBe(true);
  });

  it('when the poll failed, the brokers seen before are still listed with their probes', () => {
    const known = new Map([
      [2, { host: 'localhost', port: 9092 }],
      [1, { host: 'localhost', port: 9091 }],
    ]);
    const out = withProbes(stats({ reachable: false, brokers: [] }), known, (id) =>
      probe(id === 2 ? 'not-responding' : 'answering'),
    );
    expect(out.reachable).toBe(false);
    expect(out.brokers.map((b) => [b.nodeId, b.up])).toEqual([
      [1, true],
      [2, false],
    ]);
  });
});
