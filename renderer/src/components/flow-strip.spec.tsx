// @vitest-environment happy-dom
/**
 * The flow strip as the user reads it: every hop with its state, what waits between hops, the
 * latency, and — when a hop is stuck — that hop marked and the diagnosis line in words.
 */
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowHop, FlowHopName, FlowStatus } from '../../../core/contract/data';
import { FlowStrip } from './flow-strip';

const hop = <N extends FlowHopName>(name: N, patch: Partial<Omit<FlowHop, 'hop'>> = {}) => ({
  hop: name,
  state: 'flowing' as const,
  inPerSecond: 100,
  inTotal: 6_000,
  backlog: 10,
  backlogSeconds: 0.1,
  fault: null,
  ...patch,
});

function flowing(): FlowStatus {
  return {
    runStartedAt: 1,
    producing: true,
    askedPerSecond: 100,
    hops: {
      producer: {
        ...hop('producer'),
        generated: 6_000,
        acknowledged: 5_990,
        queued: 10,
        ticksSkipped: 0,
        lagMs: 0,
      },
      kafka: {
        ...hop('kafka', { backlog: 40, backlogSeconds: 0.4 }),
        acknowledged: 5_990,
        messages: 600,
        messagesPerSecond: 10,
        lagMessages: 4,
        brokersUp: 3,
        brokersDown: [],
        leaderless: [],
      },
      telegraf: {
        ...hop('telegraf', { backlog: 12, backlogSeconds: 0.12 }),
        consumed: 5_950,
        written: 5_938,
        dropped: 0,
        buffered: 12,
        bufferLimit: 5_460_000,
        recentWriteErrors: 0,
      },
      influxdb: {
        ...hop('influxdb', { backlog: null, backlogSeconds: 0.2 }),
        stored: 5_930,
        newestAgeMs: 600,
        queryError: null,
      },
      chart: {
        ...hop('chart', { inPerSecond: null, inTotal: null, backlog: null, backlogSeconds: null }),
        newestAgeMs: 800,
      },
    },
    latency: { p50Ms: 820, p99Ms: 1_640, samples: 2_400, windowSeconds: 60, probeMs: 250 },
    diagnoses: [],
    at: 2,
  };
}

afterEach(cleanup);

describe('the flow strip', () => {
  it('shows every hop flowing, the backlogs between them and the latency, and no diagnosis', () => {
    render(<FlowStrip flow={flowing()} />);
    for (const name of ['producer', 'kafka', 'telegraf', 'influxdb', 'chart']) {
      expect(screen.getByTestId(`flow-hop-${name}`).dataset.state).toBe('flowing');
    }
    expect(screen.getByTestId('flow-rate-producer').textContent).toBe('100 pts/s');
    expect(screen.getByTestId('flow-total-influxdb').textContent).toBe('6,000');
    const kafkaBacklog = screen.getByTestId('flow-backlog-kafka');
    expect(kafkaBacklog.dataset).toMatchObject({ points: '40', seconds: '0.4' });
    expect(kafkaBacklog.textContent).toContain('40 pts');
    expect(screen.getByTestId('flow-latency').textContent).toBe(
      'End-to-end latency, last 60 s: p50 0.82 s · p99 1.64 s (2,400 sampled points)',
    );
    expect(screen.queryByTestId('flow-diagnosis')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it("fits Telegraf's buffer limit in the hop's width, with the whole count on hover", () => {
    render(<FlowStrip flow={flowing()} />);
    const buffer = screen.getByTitle('12 of 5,460,000 points');
    expect(buffer.textContent).toBe('12 of 5.46 M');
  });

  it('marks a stalled hop with its fault and shows the diagnosis, naming the hop, the cause and the action', () => {
    const flow = flowing();
    flow.hops.telegraf = { ...flow.hops.telegraf, state: 'down', fault: 'pause-telegraf', inPerSecond: null };
    flow.hops.influxdb = { ...flow.hops.influxdb, state: 'waiting' };
    flow.hops.kafka = { ...flow.hops.kafka, backlog: 2_500, backlogSeconds: 25 };
    flow.diagnoses = [
      {
        id: 'telegraf-down',
        hop: 'telegraf',
        severity: 'bad',
        problem: 'Telegraf is not consuming',
        cause: 'its container is paused; 2,500 points wait in Kafka',
        action: 'Undo “Pause Telegraf” in the Chaos panel',
      },
    ];
    render(<FlowStrip flow={flow} />);

    const telegraf = screen.getByTestId('flow-hop-telegraf');
    expect(telegraf.dataset).toMatchObject({ state: 'down', fault: 'pause-telegraf' });
    expect(telegraf.className).toContain('flow-down');
    expect(within(telegraf).getByTestId('flow-state-telegraf').textContent).toBe('⚠ down · fault: paused');
    expect(within(telegraf).getByTestId('flow-rate-telegraf').textContent).toBe('—');
    expect(screen.getByTestId('flow-hop-influxdb').dataset.state).toBe('waiting');
    expect(screen.getByTestId('flow-backlog-kafka').className).toContain('flow-link-backlog');

    const alert = screen.getByRole('alert');
    expect(alert.dataset).toMatchObject({ hop: 'telegraf', severity: 'bad' });
    expect(alert.textContent).toBe(
      'Telegraf is not consuming: its container is paused; 2,500 points wait in Kafka → Undo “Pause Telegraf” in the Chaos panel',
    );
  });

  it('says so when no new point was seen in the last minute, rather than showing an old figure', () => {
    const flow = flowing();
    flow.latency = { ...flow.latency, p50Ms: null, p99Ms: null, samples: 0 };
    render(<FlowStrip flow={flow} />);
    expect(screen.getByTestId('flow-latency').textContent).toBe(
      'End-to-end latency, last 60 s: no new points seen',
    );
  });

  it('shows nothing before the first status arrives', () => {
    const { container } = render(<FlowStrip flow={null} />);
    expect(container.textContent).toBe('');
  });
});
