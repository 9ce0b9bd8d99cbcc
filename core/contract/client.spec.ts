/**
 * The page's event connection, seen from the client: however many views subscribe, to whatever
 * topics, one connection carries them, opened on demand and closed when nobody listens.
 */
import { describe, expect, it } from 'vitest';
import { createBridgeClient, createHttpClient, type EventSourceLike } from './client';
import type { StackStatus } from './data';

/** EventSources that record what was done to them, and let the test play the server. */
function fakeEventSources() {
  const opened: { url: string; closed: boolean; emit: (topic: string, data: unknown) => void }[] = [];
  const open = (url: string): EventSourceLike => {
    const listeners = new Map<string, ((e: { data: string }) => void)[]>();
    const source = {
      url,
      closed: false,
      emit: (topic: string, data: unknown) => {
        if (source.closed) return;
        for (const l of listeners.get(topic) ?? []) l({ data: JSON.stringify(data) });
      },
    };
    opened.push(source);
    return {
      addEventListener: (type, l) => listeners.set(type, [...(listeners.get(type) ?? []), l]),
      close: () => {
        source.closed = true;
      },
    };
  };
  return { opened, open };
}

/** A preload bridge that counts the event listeners put on it. */
function fakeBridge() {
  const listeners = new Set<(topic: string, data: unknown) => void>();
  let added = 0;
  return {
    listeners,
    added: () => added,
    emit: (topic: string, data: unknown) => {
      for (const l of listeners) l(topic, data);
    },
    bridge: {
      call: async () => ({ ok: true as const, result: null }),
      onEvent: (l: (topic: string, data: unknown) => void) => {
        added++;
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
  };
}

const running = { state: 'running' } as StackStatus;

describe('the HTTP client: one EventSource per client', () => {
  it('opens no connection before the first subscription', () => {
    const { opened, open } = fakeEventSources();
    createHttpClient({ baseUrl: 'http://127.0.0.1:1', eventSource: open });
    expect(opened).toEqual([]);
  });

  it('carries five subscriptions on one connection, each event to its own topic listeners', () => {
    const { opened, open } = fakeEventSources();
    const client = createHttpClient({ baseUrl: 'http://127.0.0.1:1', eventSource: open });
    const got: string[] = [];
    client.subscribe('stack:status', (s) => got.push(`a:${s.state}`));
    client.subscribe('stack:status', (s) => got.push(`b:${s.state}`));
    client.subscribe('producer:status', (p) => got.push(`producer:${p.state}`));
    client.subscribe('kafka:stats', () => got.push('kafka'));
    client.subscribe('chaos:status', () => got.push('chaos'));
    expect(opened).toHaveLength(1);
    expect(opened[0]?.url).toBe('http://127.0.0.1:1/api/events');

    opened[0]?.emit('stack:status', running);
    opened[0]?.emit('producer:status', { state: 'idle' });
    expect(got).toEqual(['a:running', 'b:running', 'producer:idle']);
  });

  it('keeps the connection while anyone listens, closes it with the last, and reopens on demand', () => {
    const { opened, open } = fakeEventSources();
    const client = createHttpClient({ baseUrl: 'http://127.0.0.1:1', eventSource: open });
    const offs = [
      client.subscribe('stack:status', () => {}),
      client.subscribe('producer:status', () => {}),
      client.subscribe('kafka:stats', () => {}),
      client.subscribe('telegraf:stats', () => {}),
      client.subscribe('chaos:status', () => {}),
    ];
    for (const off of offs.slice(0, 4)) off();
    expect(opened[0]?.closed).toBe(false);
    offs[4]?.();
    expect(opened[0]?.closed).toBe(true);

    const got: unknown[] = [];
    const off = client.subscribe('stack:status', (s) => got.push(s.state));
    expect(opened).toHaveLength(2);
    opened[1]?.emit('stack:status', running);
    expect(got).toEqual(['running']);
    off();
    expect(opened[1]?.closed).toBe(true);
  });

  it('stops calling a listener once it unsubscribed, and counts a double unsubscribe once', () => {
    const { opened, open } = fakeEventSources();
    const client = createHttpClient({ baseUrl: 'http://127.0.0.1:1', eventSource: open });
    const got: string[] = [];
    const off = client.subscribe('stack:status', () => got.push('gone'));
    client.subscribe('stack:status', () => got.push('kept'));
    off();
    off();
    opened[0]?.emit('stack:status', running);
    expect(got).toEqual(['kept']);
    expect(opened[0]?.closed).toBe(false);
  });

  it('still reaches the other listeners when one of them throws', () => {
    const { opened, open } = fakeEventSources();
    const client = createHttpClient({ baseUrl: 'http://127.0.0.1:1', eventSource: open });
    const got: string[] = [];
    client.subscribe('stack:status', () => {
      throw new Error('a broken view');
    });
    client.subscribe('stack:status', (s) => got.push(s.state));
    opened[0]?.emit('stack:status', running);
    expect(got).toEqual(['running']);
  });
});

describe('the Electron client: one listener on the event channel per page', () => {
  it('puts one listener on the bridge for five subscriptions, and takes it off with the last', () => {
    const fake = fakeBridge();
    const client = createBridgeClient(fake.bridge);
    expect(fake.added()).toBe(0);
    const got: string[] = [];
    const offs = [
      client.subscribe('stack:status', (s) => got.push(`a:${s.state}`)),
      client.subscribe('stack:status', (s) => got.push(`b:${s.state}`)),
      client.subscribe('producer:status', () => got.push('producer')),
      client.subscribe('kafka:stats', () => got.push('kafka')),
      client.subscribe('preview:update', () => got.push('preview')),
    ];
    expect(fake.added()).toBe(1);

    fake.emit('stack:status', running);
    fake.emit('kafka:stats', {});
    expect(got).toEqual(['a:running', 'b:running', 'kafka']);

    for (const off of offs) off();
    expect(fake.listeners.size).toBe(0);
  });
});
