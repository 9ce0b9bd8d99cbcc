// @vitest-environment happy-dom
/**
 * The Kafka panel as the user reads it: each broker in words from the app's own probe — a frozen
 * broker as not responding, with how long — and what the producer has queued on each broker.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BrokerProbe, KafkaStats, ProducerStatus } from '../../../core/contract/data';
import { kafkaStats, NOW, producerMetrics } from '../../../core/contract/data.fixture';
import { KafkaPanel } from './kafka-panel';

function stats(probes: Record<number, BrokerProbe | null>, over: Partial<KafkaStats> = {}): KafkaStats {
  return kafkaStats({
    brokers: [1, 2, 3].map((nodeId) => {
      const probe = probes[nodeId] ?? null;
      return {
        nodeId,
        host: 'localhost',
        port: 9090 + nodeId,
        up: probe === null || probe.state === 'answering',
        isController: nodeId === 1,
        probe,
      };
    }),
    ...over,
  });
}

const answering = (rttMs: number): BrokerProbe => ({
  state: 'answering',
  rttMs,
  since: NOW - 60_000,
  detail: '',
});

function producer(queuedByPartition: number[]): ProducerStatus {
  const queued = queuedByPartition.reduce((a, b) => a + b, 0);
  return {
    state: 'running',
    startedAt: NOW - 120_000,
    params: {} as ProducerStatus['params'],
    metrics: producerMetrics({ queuedPoints: queued, queuedByPartition }),
    error: null,
  };
}

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('the Kafka panel', () => {
  it('shows answering brokers with their round trip', () => {
    render(<KafkaPanel stats={stats({ 1: answering(2.4), 2: answering(3), 3: answering(1) })} />);
    expect(screen.getByTestId('broker-1').textContent).toBe('kafka-1 answering (2 ms)');
    expect(screen.getByTestId('broker-2').dataset.state).toBe('answering');
    expect(screen.getByTestId('brokers').dataset.up).toBe('3');
  });

  it('shows a frozen broker as not responding, with how long, counting up', async () => {
    vi.useFakeTimers({ now: NOW });
    const frozen: BrokerProbe = {
      state: 'not-responding',
      rttMs: null,
      since: NOW - 12_000,
      detail: 'accepts connections, answers nothing',
    };
    render(<KafkaPanel stats={stats({ 1: answering(2), 2: frozen, 3: answering(2) })} />);
    const b2 = screen.getByTestId('broker-2');
    expect(b2.textContent).toBe('kafka-2 not responding for 12 s (accepts connections, answers nothing)');
    expect(b2.dataset.state).toBe('not-responding');
    expect(b2.className).toBe('down');
    expect(screen.getByTestId('brokers').dataset.up).toBe('2');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(screen.getByTestId('broker-2').textContent).toContain('not responding for 15 s');
  });

  it('says why a broker is down: refused or unreachable', () => {
    vi.useFakeTimers({ now: NOW });
    render(
      <KafkaPanel
        stats={stats({
          1: answering(2),
          2: { state: 'refused', rttMs: null, since: NOW - 75_000, detail: 'connection refused' },
          3: { state: 'unreachable', rttMs: null, since: NOW - 4_000, detail: 'no connection within 1.5 s' },
        })}
      />,
    );
    expect(screen.getByTestId('broker-2').textContent).toBe(
      'kafka-2 down for 1 min 15 s (connection refused)',
    );
    expect(screen.getByTestId('broker-3').textContent).toBe(
      'kafka-3 unreachable for 4 s (no connection within 1.5 s)',
    );
  });

  it('still lists the brokers and their probes when the cluster statistics time out', () => {
    const s = stats(
      {
        1: answering(2),
        2: {
          state: 'not-responding',
          rttMs: null,
          since: NOW,
          detail: 'accepts connections, answers nothing',
        },
        3: answering(2),
      },
      {
        reachable: false,
        partitions: [],
        error: { code: 'KAFKA_SLOW', message: 'Kafka did not answer within 5 s.', retriable: true },
      },
    );
    render(<KafkaPanel stats={s} />);
    expect(screen.getByRole('status').textContent).toBe(
      "The cluster's statistics did not come back (Kafka did not answer within 5 s.); 2 of 3 brokers answer the app's probe.",
    );
    expect(screen.getByTestId('broker-2').dataset.state).toBe('not-responding');
  });

  it('shows what the producer has queued on each broker, by partition leader', () => {
    // Partitions 1 and 4 are led by kafka-2.
    render(
      <KafkaPanel
        stats={stats({ 1: answering(2), 2: answering(2), 3: answering(2) })}
        producer={producer([0, 4_000, 0, 0, 500, 0])}
      />,
    );
    expect(screen.getByTestId('queued-by-broker').textContent).toBe(
      'Producer queued: kafka-1 0 · kafka-2 4,500 · kafka-3 0',
    );
  });

  it('names points of leaderless partitions apart, and shows nothing while the producer is idle', () => {
    const s = stats({});
    s.partitions[1] = { ...(s.partitions[1] as KafkaStats['partitions'][number]), leader: -1 };
    const { rerender } = render(<KafkaPanel stats={s} producer={producer([0, 300, 0, 0, 0, 0])} />);
    expect(screen.getByTestId('queued-by-broker').textContent).toBe(
      'Producer queued: kafka-1 0 · kafka-2 0 · kafka-3 0 · no leader 300',
    );
    rerender(<KafkaPanel stats={s} producer={{ ...producer([0, 0, 0, 0, 0, 0]), state: 'stopped' }} />);
    expect(screen.queryByTestId('queued-by-broker')).toBeNull();
  });

  it('while the stats time out, maps the queue with the last leaders seen, and says how old they are', () => {
    const s = stats({ 1: answering(2), 2: answering(2), 3: answering(2) });
    const { rerender } = render(<KafkaPanel stats={s} producer={producer([0, 10, 0, 0, 0, 0])} />);
    const timedOut = { ...s, reachable: false, partitions: [], at: NOW + 4_000 };
    rerender(<KafkaPanel stats={timedOut} producer={producer([0, 4_000, 0, 0, 500, 0])} />);
    expect(screen.getByTestId('queued-by-broker').textContent).toBe(
      'Producer queued: kafka-1 0 · kafka-2 4,500 · kafka-3 0 (leaders as of 4 s ago)',
    );
  });
});
