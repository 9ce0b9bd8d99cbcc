import { DEFAULT_PARAMS, mergeParams } from '@walkstream/producer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  ApiError,
  createBridgeClient,
  createHttpClient,
  type EventSourceLike,
} from '../contract/client';
import type { ChaosStatus, ProducerStatus, StackStatus } from '../contract/data';
import { WalkstreamError } from '../contract/errors';
import { EventHub } from '../events/event-hub';
import { type ApiHandlers, ApiRouter } from './api-router';
import { type HttpTransport, startHttpTransport } from './http-transport';
import { attachIpcTransport, IPC_CALL, type IpcMainLike } from './ipc-transport';

/** Fake services: enough state to see that a rejected call changed nothing. */
function fakeCore() {
  let params = { ...DEFAULT_PARAMS };
  const status = (): ProducerStatus => ({
    state: 'idle',
    startedAt: null,
    params,
    metrics: null,
    error: null,
  });
  const stack: StackStatus = {
    state: 'stopped',
    services: [],
    error: null,
    dockerAvailable: true,
    updatedAt: 0,
  };
  const restarted: string[] = [];
  const injected: unknown[] = [];
  const notImplemented = async () => {
    throw new Error('not part of this fake');
  };
  const handlers: ApiHandlers = {
    'stack:status': async () => stack,
    'stack:up': async () => {
      throw new WalkstreamError(
        'DOCKER_NOT_RUNNING',
        'Docker is not running. Start Docker Desktop (or `sudo systemctl start docker`) and try again.',
        {
          retriable: true,
        },
      );
    },
    'stack:down': async () => stack,
    'stack:restartService': async ({ service }) => {
      restarted.push(service);
      return stack;
    },
    'stack:stopService': async () => stack,
    'stack:startService': async () => stack,
    'stack:logs': async ({ service, lines }) => ({ service, lines: [`${lines} lines of ${service}`] }),
    'producer:status': async () => status(),
    'producer:start': notImplemented,
    'producer:stop': notImplemented,
    'producer:setParams': async (patch) => {
      params = mergeParams(params, patch);
      return status();
    },
    'kafka:stats': notImplemented,
    'telegraf:stats': notImplemented,
    'preview:snapshot': notImplemented,
    'links:get': notImplemented,
    'docker:engine': notImplemented,
    'settings:get': notImplemented,
    'settings:updateUi': notImplemented,
    'settings:updateStack': notImplemented,
    'stack:info': notImplemented,
    'stack:adoptMatchingEnv': notImplemented,
    'chaos:status': notImplemented,
    'chaos:inject': async (input) => {
      injected.push(input);
      return { faults: [], unavailable: {}, recoveries: [], effect: {} as ChaosStatus['effect'], at: 0 };
    },
    'chaos:undo': notImplemented,
    'flow:status': notImplemented,
    'connection:get': notImplemented,
    'connection:update': notImplemented,
    'connection:test': notImplemented,
  };
  return {
    router: new ApiRouter(handlers),
    hub: new EventHub(),
    restarted,
    injected,
    params: () => params,
  };
}

/** The same behaviour is required of every transport. */
function contractSuite(
  name: string,
  setup: () => Promise<{
    client: ApiClient;
    core: ReturnType<typeof fakeCore>;
    teardown: () => Promise<void>;
  }>,
) {
  describe(`API contract over ${name}`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => {
      ctx = await setup();
    });
    afterAll(() => ctx.teardown());

    it('returns results', async () => {
      expect(await ctx.client.call('stack:logs', { service: 'telegraf', lines: 3 })).toEqual({
        service: 'telegraf',
        lines: ['3 lines of telegraf'],
      });
    });

    it('applies input defaults from the contract', async () => {
      expect((await ctx.client.call('stack:logs', { service: 'influxdb' })).lines).toEqual([
        '200 lines of influxdb',
      ]);
    });

    it('carries errors across intact: code, actionable message, retriable', async () => {
      const err = await ctx.client.call('stack:up').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({
        code: 'DOCKER_NOT_RUNNING',
        retriable: true,
        message: expect.stringContaining('Start Docker'),
      });
    });

    it('rejects an unknown service name and runs nothing', async () => {
      const err = await ctx.client
        .call('stack:restartService', { service: 'postgres' as never })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('service') });
      expect(ctx.core.restarted).toEqual([]);
    });

    it('rejects wrong types and unknown fields', async () => {
      await expect(
        ctx.client.call('stack:logs', { service: 'telegraf', lines: 'many' as never }),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
      await expect(
        ctx.client.call('stack:down', { removeVolumes: true, force: true } as never),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringContaining('force'),
      });
    });

    it('rejects out-of-range walk parameters, naming the field, and keeps the old ones', async () => {
      const before = ctx.core.params();
      await expect(ctx.client.call('producer:setParams', { walks: 0 })).rejects.toMatchObject({
        message: expect.stringContaining('walks'),
      });
      await expect(
        ctx.client.call('producer:setParams', { walks: 5, rate: 5, theta: 50 }),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
      expect(ctx.core.params()).toEqual(before);
      expect((await ctx.client.call('producer:setParams', { walks: 5 })).params.walks).toBe(5);
    });

    it('rejects a fault aimed at the wrong service, saying which services fit, and injects nothing', async () => {
      await expect(
        ctx.client.call('chaos:inject', { fault: 'kill-broker', service: 'influxdb' }),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/service: .*brokers only.*kafka-1, kafka-2, kafka-3/),
      });
      await expect(ctx.client.call('chaos:inject', { fault: 'stop-broker' })).rejects.toMatchObject({
        message: expect.stringContaining('needs the broker'),
      });
      await expect(
        ctx.client.call('chaos:inject', { fault: 'pause-telegraf', service: 'kafka-1' }),
      ).rejects.toMatchObject({ message: expect.stringContaining('always targets telegraf') });
      await expect(
        ctx.client.call('chaos:inject', { fault: 'freeze-controller', service: 'kafka-1' }),
      ).rejects.toMatchObject({
        message: expect.stringMatching(
          /controllers only.*kafka-controller-1, kafka-controller-2, kafka-controller-3/,
        ),
      });
      expect(ctx.core.injected).toEqual([]);
      await ctx.client.call('chaos:inject', { fault: 'stop-influxdb' });
      expect(ctx.core.injected).toEqual([{ fault: 'stop-influxdb' }]);
    });

    it('rejects unknown calls', async () => {
      await expect(
        (ctx.client.call as (n: string) => Promise<unknown>)('stack:format'),
      ).rejects.toMatchObject({
        code: 'UNKNOWN_CALL',
      });
    });

    it('delivers pushed events to subscribers', async () => {
      const received = new Promise((resolve) => {
        const off = ctx.client.subscribe('stack:status', (s) => {
          off();
          resolve(s.state);
        });
      });
      // Publish until the subscription (an HTTP stream, for that transport) is connected.
      const timer = setInterval(
        () =>
          ctx.core.hub.publish('stack:status', {
            state: 'running',
            services: [],
            error: null,
            dockerAvailable: true,
            updatedAt: 1,
          }),
        20,
      );
      await expect(received).resolves.toBe('running');
      clearInterval(timer);
    });
  });
}

contractSuite('Electron IPC (driven without Electron)', async () => {
  const core = fakeCore();
  const handlers = new Map<
    string,
    (event: { senderFrame: { url: string } }, ...args: unknown[]) => unknown
  >();
  const ipcMain: IpcMainLike = {
    handle: (channel, fn) => handlers.set(channel, fn),
    removeHandler: (channel) => handlers.delete(channel),
  };
  const eventListeners = new Set<(topic: string, data: unknown) => void>();
  const detach = attachIpcTransport({
    router: core.router,
    hub: core.hub,
    ipcMain,
    send: (_channel, topic, data) => {
      for (const l of eventListeners) l(topic, structuredClone(data));
    },
    isTrustedUrl: (url) => url.startsWith('app://'),
  });
  // What the preload does: one invoke on one channel, replies structured-cloned like real IPC.
  const client = createBridgeClient({
    call: async (name, input) =>
      structuredClone(
        await (handlers.get(IPC_CALL) as (...a: unknown[]) => Promise<unknown>)(
          { senderFrame: { url: 'app://walkstream/index.html' } },
          name,
          input,
        ),
      ) as never,
    onEvent: (l) => {
      eventListeners.add(l);
      return () => eventListeners.delete(l);
    },
  });
  return { client, core, teardown: async () => detach() };
});

/** A minimal EventSource for Node 20 (which has none), on fetch's streaming body. */
function nodeEventSource(token: string) {
  return (url: string): EventSourceLike => {
    const controller = new AbortController();
    const listeners = new Map<string, ((e: { data: string }) => void)[]>();
    void (async () => {
      const res = await fetch(url, {
        headers: { Authorization: `Bearer ${token}` },
        signal: controller.signal,
      });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) for (const l of listeners.get(event) ?? []) l({ data });
          end = buffer.indexOf('\n\n');
        }
      }
    })().catch(() => {});
    return {
      addEventListener: (type, l) => listeners.set(type, [...(listeners.get(type) ?? []), l]),
      close: () => controller.abort(),
    };
  };
}

contractSuite('HTTP + server-sent events', async () => {
  const core = fakeCore();
  const transport: HttpTransport = await startHttpTransport({ router: core.router, hub: core.hub });
  const client = createHttpClient({
    baseUrl: transport.url,
    token: transport.token,
    eventSource: nodeEventSource(transport.token),
  });
  return { client, core, teardown: () => transport.close() };
});

describe('HTTP transport security', () => {
  let transport: HttpTransport;
  beforeAll(async () => {
    const core = fakeCore();
    transport = await startHttpTransport({ router: core.router, hub: core.hub });
  });
  afterAll(() => transport.close());

  it('listens on 127.0.0.1 only', () => {
    // The socket itself, not the URL the transport reports: that is built from the same literal.
    const bound = transport.server.address() as import('node:net').AddressInfo;
    expect(bound).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    expect(transport.url).toBe(`http://127.0.0.1:${bound.port}`);
  });

  it('refuses calls without the per-run token, in the reply envelope', async () => {
    const res = await fetch(`${transport.url}/api/call/stack:status`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(
      refusal('UNAUTHORIZED', expect.stringContaining('Open the link printed by `npm run web`')),
    );
    const wrong = await fetch(`${transport.url}/api/call/stack:status`, {
      method: 'POST',
      headers: { Authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual(refusal('UNAUTHORIZED', expect.any(String)));
  });

  it('refuses a login link with the wrong token, in the reply envelope, and sets no cookie', async () => {
    const res = await fetch(`${transport.url}/login?token=nope`, { redirect: 'manual' });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.json()).toEqual(refusal('UNAUTHORIZED', expect.stringContaining('login link')));
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      const req = request(`${transport.url}/api/call/stack:status`, {
        method: 'POST',
        headers: { Host: 'evil.example:80', Authorization: `Bearer ${transport.token}` },
      });
      req.on('response', (r) => resolve(r.statusCode ?? 0));
      req.end();
    });
    expect(status).toBe(401);
  });

  it('logs a browser in with the token link and a SameSite=Strict, HttpOnly cookie', async () => {
    const res = await fetch(transport.loginUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
  });
});

/** A refusal as every reply carries it: what the UI shows for a failed call. */
const refusal = (code: string, message: unknown) => ({
  ok: false,
  error: { code, message, retriable: false },
});

describe('HTTP transport replies', () => {
  let transport: HttpTransport;
  let core: ReturnType<typeof fakeCore>;
  beforeAll(async () => {
    core = fakeCore();
    transport = await startHttpTransport({ router: core.router, hub: core.hub });
  });
  afterAll(() => transport.close());
  const call = (name: string, body: BodyInit, init: RequestInit = {}) =>
    fetch(`${transport.url}/api/call/${name}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${transport.token}` },
      body,
      ...init,
    });
  const restartWith = (padding: number) =>
    JSON.stringify({ service: 'telegraf', padding: 'x'.repeat(padding) });

  it('answers a path that is not there with 404, in the reply envelope', async () => {
    const res = await fetch(`${transport.url}/no/such/page`, {
      headers: { Authorization: `Bearer ${transport.token}` },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(refusal('NOT_FOUND', 'There is nothing at /no/such/page.'));
  });

  it('refuses a body over 64 KiB with 413, in the reply envelope, and runs nothing', async () => {
    const res = await call('stack:restartService', restartWith(64 * 1024));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(refusal('PAYLOAD_TOO_LARGE', expect.stringContaining('64 KiB')));
    expect(core.restarted).toEqual([]);
  });

  it('refuses a streamed body (no Content-Length) once it passes 64 KiB', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await call('stack:restartService', body, { duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject(refusal('PAYLOAD_TOO_LARGE', expect.any(String)));
  });

  it('still takes a body just under the limit to the router', async () => {
    const res = await call('stack:restartService', restartWith(60 * 1024));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject(
      refusal('INVALID_INPUT', expect.stringContaining('unknown field(s) padding')),
    );
  });

  it('sends each event once on an event stream, and lets go of the hub when the stream closes', async () => {
    let streams = 0;
    const subscribeAll = core.hub.subscribeAll.bind(core.hub);
    core.hub.subscribeAll = (listener) => {
      streams++;
      const off = subscribeAll(listener);
      return () => {
        streams--;
        off();
      };
    };
    const abort = new AbortController();
    const res = await fetch(`${transport.url}/api/events`, {
      headers: { Authorization: `Bearer ${transport.token}` },
      signal: abort.signal,
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(streams).toBe(1);
    const status = (updatedAt: number): StackStatus => ({
      state: 'running',
      services: [],
      error: null,
      dockerAvailable: true,
      updatedAt,
    });
    core.hub.publish('stack:status', status(1));
    core.hub.publish('stack:status', status(2));

    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('"updatedAt":2')) {
      const { value } = await reader.read();
      text += decoder.decode(value, { stream: true });
    }
    expect(text.match(/^event: stack:status$/gm)).toHaveLength(2);
    expect(text.match(/"updatedAt":1/g)).toHaveLength(1);

    abort.abort();
    await expect.poll(() => streams).toBe(0);
  });
});
