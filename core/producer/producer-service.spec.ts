import { DEFAULT_PARAMS, type RecordSink } from '@walkstream/producer';
import { describe, expect, it, vi } from 'vitest';
import { WalkstreamError } from '../contract/errors';
import { EventHub } from '../events/event-hub';
import { ProducerService } from './producer-service';

const okSink = (): RecordSink => ({
  connect: async () => {},
  ensureTopic: async () => {},
  send: async () => {},
  disconnect: async () => {},
});

describe('ProducerService', () => {
  it('keeps parameters while stopped, persists them, and applies them on start', async () => {
    const saved: number[] = [];
    const walks = new Set<string>();
    const svc = new ProducerService({
      brokers: () => ['x:1'],
      hub: new EventHub(),
      initialParams: DEFAULT_PARAMS,
      onParams: (p) => saved.push(p.walks),
      createSink: () => ({
        ...okSink(),
        send: async (records) => {
          for (const r of records) walks.add(r.key);
        },
      }),
    });
    expect(svc.setParams({ walks: 3 }).params.walks).toBe(3);
    expect(saved).toEqual([3]);
    const status = await svc.start();
    expect(status).toMatchObject({ state: 'running', params: { walks: 3 } });
    // What the producer sends, not only what the status says: three walks.
    await vi.waitFor(() => expect(walks.size).toBeGreaterThan(0), { timeout: 10_000 });
    expect((await svc.stop()).state).toBe('stopped');
    expect([...walks].sort()).toEqual(['w0000', 'w0001', 'w0002']);
  });

  it('refuses to start while Kafka is unreachable, with the reason, and publishes it', async () => {
    const hub = new EventHub();
    const published: string[] = [];
    hub.subscribe('producer:status', (s) => s.error && published.push(s.error.code));
    const svc = new ProducerService({
      brokers: () => ['localhost:9092'],
      hub,
      initialParams: DEFAULT_PARAMS,
      createSink: () => ({
        ...okSink(),
        connect: async () => {
          throw new WalkstreamError('KAFKA_UNREACHABLE', 'Cannot reach the Kafka brokers localhost:9092', {
            retriable: true,
          });
        },
      }),
    });
    await expect(svc.start()).rejects.toMatchObject({ code: 'KAFKA_UNREACHABLE' });
    expect(svc.status()).toMatchObject({ state: 'failed', error: { code: 'KAFKA_UNREACHABLE' } });
    expect(published).toContain('KAFKA_UNREACHABLE');
  });

  it('rejects invalid parameters and keeps the previous ones', () => {
    const svc = new ProducerService({
      brokers: () => [],
      hub: new EventHub(),
      initialParams: DEFAULT_PARAMS,
      createSink: okSink,
    });
    expect(() => svc.setParams({ rate: -1 })).toThrow(/rate/);
    expect(svc.status().params).toEqual(DEFAULT_PARAMS);
  });
});
