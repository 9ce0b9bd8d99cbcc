/**
 * What the strip shows for a situation: each hop's state and figures, backlogs in points and in
 * seconds of data, the Chaos fault on the hop it hits.
 */
import { describe, expect, it } from 'vitest';
import type { FlowLatency } from '../contract/data';
import { kafka, metrics, NOW, producerStatus, signals, telegraf } from './flow-signals.fixture';
import { buildFlowStatus, hopStates } from './flow-status';

const latency: FlowLatency = { p50Ms: 800, p99Ms: 1_600, samples: 1_200, windowSeconds: 60, probeMs: 250 };

describe('buildFlowStatus', () => {
  it('a healthy pipeline: every hop flowing, backlogs in points and seconds at the asked rate', () => {
    const f = buildFlowStatus(signals(), latency);
    expect(Object.values(f.hops).map((h) => h.state)).toEqual([
      'flowing',
      'flowing',
      'flowing',
      'flowing',
      'flowing',
    ]);
    expect(f.hops.producer).toMatchObject({
      inPerSecond: 100,
      inTotal: 6_000,
      backlog: 10,
      backlogSeconds: 0.1,
    });
    expect(f.hops.kafka).toMatchObject({ inTotal: 5_990, backlog: 40, backlogSeconds: 0.4, messages: 600 });
    expect(f.hops.telegraf).toMatchObject({
      inTotal: 5_950,
      backlog: 40,
      backlogSeconds: 0.4,
      consumed: 5_950,
    });
    expect(f.hops.influxdb).toMatchObject({ stored: 5_880, newestAgeMs: 600, backlogSeconds: 0.2 });
    expect(f.hops.chart).toMatchObject({ newestAgeMs: 800 });
    expect(f.latency).toEqual(latency);
    expect(f.diagnoses).toEqual([]);
  });

  it("after a Telegraf restart lost its predecessor's last counts, the Kafka backlog follows the consumer group's lag", () => {
    // 5 990 acknowledged, counters say 5 000 consumed (990 behind), but the group lags 3 messages
    // of 10 points (100 points/s in 10 messages/s): 30 points wait.
    const f = buildFlowStatus(signals({ kafka: kafka({ totalLag: 3 }), run: { consumed: 5_000 } }), latency);
    expect(f.hops.kafka.backlog).toBe(30);
    // While the group is the one further behind (it commits once a second), the counters stand.
    const g = buildFlowStatus(
      signals({ kafka: kafka({ totalLag: 500 }), run: { consumed: 5_000 } }),
      latency,
    );
    expect(g.hops.kafka.backlog).toBe(990);
  });

  it("reads the lag at the newest messages' points per message, not the run's average", () => {
    // A burst earlier in the run packed ~100 points per message (60 000 points in 600 messages);
    // now one point per message at 100 points/s: a lag of 10 messages is 10 points, not 1 000.
    const f = buildFlowStatus(
      signals({
        producer: producerStatus({ metrics: metrics({ pointsProduced: 60_000 }) }),
        kafka: kafka({ totalLag: 10, messagesPerSecond: 100 }),
        run: { consumed: 58_700, kafkaMessages: 600 },
      }),
      latency,
    );
    expect(f.hops.kafka.backlog).toBe(10);
  });

  it('compares what Telegraf consumed with what was acknowledged when it counted, not since', () => {
    // 5 990 acknowledged now, 5 950 consumed as Telegraf counted a second ago, when 5 890 were
    // acknowledged: Telegraf was ahead of nothing; the 100 since are not waiting on it yet.
    const f = buildFlowStatus(
      signals({ kafka: kafka({ totalLag: 500 }), run: { consumed: 5_950, acknowledgedWhenConsumed: 5_890 } }),
      latency,
    );
    expect(f.hops.kafka.backlog).toBe(0);
    const g = buildFlowStatus(
      signals({ kafka: kafka({ totalLag: 500 }), run: { consumed: 5_800, acknowledgedWhenConsumed: 5_890 } }),
      latency,
    );
    expect(g.hops.kafka.backlog).toBe(90);
  });

  it('Telegraf paused by a fault: Telegraf down and faulted, the hops after it waiting, Kafka still taking data', () => {
    const f = buildFlowStatus(
      signals({
        services: { telegraf: { state: 'paused' } },
        faults: [{ id: 'fault-1', kind: 'pause-telegraf', service: 'telegraf', since: NOW - 8_000 }],
        telegraf: telegraf({ reachable: false, bufferedPoints: null }),
        kafka: kafka({ totalLag: 101 }),
        run: { consumed: 4_990 },
        rates: { consumed: null, written: null, stored: 0 },
        chartNewestAt: NOW - 8_000,
        influx: { newestAt: NOW - 8_000 },
      }),
      latency,
    );
    expect(f.hops.telegraf).toMatchObject({ state: 'down', fault: 'pause-telegraf', inPerSecond: null });
    expect(f.hops.kafka).toMatchObject({ state: 'flowing', backlog: 1_000, backlogSeconds: 10 });
    expect(f.hops.influxdb.state).toBe('waiting');
    expect(f.hops.chart.state).toBe('waiting');
    expect(f.hops.producer.state).toBe('flowing');
    expect(f.diagnoses[0]?.hop).toBe('telegraf');
  });

  it('InfluxDB stopped: InfluxDB down, Telegraf holding its buffer as the backlog before it', () => {
    const f = buildFlowStatus(
      signals({
        services: { influxdb: { state: 'exited', exitCode: 0 } },
        faults: [{ id: 'fault-2', kind: 'stop-influxdb', service: 'influxdb', since: NOW - 20_000 }],
        telegraf: telegraf({ bufferedPoints: 2_000 }),
        rates: { written: 0, consumed: 0, stored: null },
        influx: { error: { status: null, message: 'connect ECONNREFUSED' }, newestAt: NOW - 20_000 },
      }),
      latency,
    );
    expect(f.hops.influxdb).toMatchObject({ state: 'down', fault: 'stop-influxdb', newestAgeMs: 20_000 });
    expect(f.hops.telegraf).toMatchObject({ state: 'waiting', backlog: 2_000, backlogSeconds: 20 });
    expect(f.diagnoses.map((d) => d.problem)).toEqual(['InfluxDB is stopped']);
    expect(f.diagnoses[0]?.cause).toContain('Telegraf holds 2,000 points, waiting');
  });

  it('a broker fault marks the Kafka hop, which keeps flowing degraded', () => {
    const f = buildFlowStatus(
      signals({
        services: { 'kafka-3': { state: 'exited', exitCode: 137 } },
        faults: [{ id: 'fault-3', kind: 'kill-broker', service: 'kafka-3', since: NOW - 4_000 }],
        kafka: kafka({ underReplicated: 6 }),
      }),
      latency,
    );
    expect(f.hops.kafka).toMatchObject({ state: 'degraded', fault: 'kill-broker' });
    expect(f.hops.telegraf.state).toBe('flowing');
  });

  it('a stopped producer with nothing left to move: every hop idle, nothing asked', () => {
    const f = buildFlowStatus(
      signals({
        producer: producerStatus({ state: 'stopped' }),
        run: { producing: false, stoppedForMs: 30_000 },
        rates: { generated: null, acknowledged: null, consumed: 0, written: 0, stored: 0 },
        kafka: kafka({ messagesPerSecond: 0 }),
      }),
      latency,
    );
    expect(Object.values(f.hops).map((h) => h.state)).toEqual(['idle', 'idle', 'idle', 'idle', 'idle']);
    expect(f.askedPerSecond).toBe(0);
    expect(f.producing).toBe(false);
  });
});

describe('hopStates', () => {
  it('takes the worst mark a hop’s findings give it', () => {
    const f = (hop: 'kafka', marks: 'degraded' | 'stalled') =>
      ({ id: 'x', hop, marks, severity: 'bad', problem: '', cause: '', action: '' }) as const;
    const moving = { producer: true, kafka: true, telegraf: false, influxdb: false, chart: false };
    expect(hopStates([f('kafka', 'degraded'), f('kafka', 'stalled')], moving)).toEqual({
      producer: 'flowing',
      kafka: 'stalled',
      telegraf: 'waiting',
      influxdb: 'waiting',
      chart: 'waiting',
    });
  });
});
