/**
 * Each diagnosis rule from the one signal it reads, and its words: the hop it names, the cause as
 * the app saw it, the action. A healthy pipeline has no diagnosis at all.
 */
import { describe, expect, it } from 'vitest';
import { containerProblem } from './container-words';
import { diagnose } from './flow-diagnosis';
import { kafka, metrics, NOW, producerStatus, running, signals, telegraf } from './flow-signals.fixture';

const line = (d: { problem: string; cause: string; action: string }) =>
  `${d.problem}: ${d.cause} → ${d.action}`;

describe('diagnose', () => {
  it('finds nothing wrong with a healthy, flowing pipeline', () => {
    expect(diagnose(signals())).toEqual([]);
  });

  it('finds nothing wrong while the stack is stopped', () => {
    expect(
      diagnose(
        signals({
          stack: { state: 'stopped', services: [], error: null, dockerAvailable: true, updatedAt: NOW },
          run: { producing: false },
          kafka: kafka({ reachable: false, partitions: [], brokers: [] }),
          telegraf: telegraf({ reachable: false }),
        }),
      ),
    ).toEqual([]);
  });

  it('Telegraf out of memory: names the exit code and the OOM kill, and says to restart it', () => {
    const [d] = diagnose(
      signals({
        services: { telegraf: { state: 'exited', exitCode: 137, oomKilled: true } },
        kafka: kafka({ totalLag: 100 }),
        run: { consumed: 5_000 },
      }),
    );
    expect(d).toMatchObject({ hop: 'telegraf', severity: 'bad', marks: 'down' });
    expect(line(d as never)).toBe(
      'Telegraf is not consuming: its container exited with code 137 (out of memory); 990 points wait in Kafka → Restart telegraf from its service card; if it happens again, give Docker more memory',
    );
  });

  it('Telegraf paused by the Chaos panel: the action is the fault’s Undo', () => {
    const [d] = diagnose(
      signals({
        services: { telegraf: { state: 'paused' } },
        faults: [{ id: 'fault-1', kind: 'pause-telegraf', service: 'telegraf', since: NOW - 5_000 }],
      }),
    );
    expect(line(d as never)).toBe(
      'Telegraf is not consuming: its container is paused; 40 points wait in Kafka → Undo “Pause Telegraf” in the Chaos panel',
    );
  });

  it('InfluxDB stopped: says how many points Telegraf holds, from its own buffer count', () => {
    const found = diagnose(
      signals({
        services: { influxdb: { state: 'exited', exitCode: 0 } },
        telegraf: telegraf({ bufferedPoints: 12_345 }),
        run: { recentWriteErrors: 8 },
        stillMs: { written: 9_000 },
      }),
    );
    expect(found).toHaveLength(1); // the write errors and the stall are InfluxDB's absence, said once
    expect(found[0]).toMatchObject({ hop: 'influxdb', marks: 'down' });
    expect(line(found[0] as never)).toBe(
      'InfluxDB is stopped: its container exited with code 0 (stopped); Telegraf holds 12,345 points, waiting → Restart influxdb from its service card',
    );
  });

  it('a 401 on the app’s own query, with Telegraf’s write errors growing: InfluxDB refuses writes, the token does not match', () => {
    const [d] = diagnose(
      signals({
        influx: { error: { status: 401, message: 'unauthorized access' } },
        run: { recentWriteErrors: 12 },
      }),
    );
    expect(d).toMatchObject({ hop: 'influxdb', severity: 'bad' });
    expect(line(d as never)).toBe(
      "InfluxDB refuses writes: 401 unauthorized — the token in the stack's .env does not match the InfluxDB volume; Telegraf's writes failed 12 times in the last 10 s → Put back the .env that created InfluxDB’s data, or stop the stack and delete its old data",
    );
  });

  it('a 401 without write errors claims only what was seen: the app’s queries are refused', () => {
    const [d] = diagnose(signals({ influx: { error: { status: 401, message: 'unauthorized access' } } }));
    expect(d?.problem).toBe('InfluxDB refuses the app’s queries');
  });

  it('partitions without a leader: names them and the brokers that are down', () => {
    const k = kafka();
    const partitions = k.partitions.map((p) => (p.partition === 3 ? { ...p, leader: -1, isr: [] } : p));
    const [d] = diagnose(
      signals({
        kafka: { ...k, partitions },
        services: {
          'kafka-2': { state: 'exited', exitCode: 137 },
          'kafka-3': { state: 'exited', exitCode: 143 },
        },
      }),
    );
    expect(d).toMatchObject({ hop: 'kafka', severity: 'bad', marks: 'stalled' });
    expect(line(d as never)).toBe(
      'Kafka: partition 3 has no leader: 2 brokers down (kafka-2 exited with code 137 (killed with SIGKILL), kafka-3 exited with code 143 (stopped with SIGTERM)) → Start kafka-2 and kafka-3 from their service cards',
    );
  });

  it('one broker down with the others leading: a warning, with the under-replicated partitions', () => {
    const [d] = diagnose(
      signals({
        kafka: kafka({ underReplicated: 4 }),
        services: { 'kafka-2': { state: 'exited', exitCode: 137 } },
        faults: [{ id: 'fault-2', kind: 'kill-broker', service: 'kafka-2', since: NOW - 5_000 }],
      }),
    );
    expect(d).toMatchObject({ hop: 'kafka', severity: 'warn', marks: 'degraded' });
    expect(line(d as never)).toBe(
      'Kafka runs on 2 of 3 brokers: kafka-2 exited with code 137 (killed with SIGKILL); 4 partitions under-replicated → Undo “Kill broker kafka-2” in the Chaos panel',
    );
  });

  it('the lite profile’s absent brokers are not “down”', () => {
    expect(
      diagnose(
        signals({
          services: { 'kafka-2': { state: 'not-available' }, 'kafka-3': { state: 'not-available' } },
        }),
      ),
    ).toEqual([]);
  });

  it('no broker answers: Kafka is down, with the containers that say why', () => {
    const [d] = diagnose(
      signals({
        kafka: kafka({ reachable: false, brokers: [], partitions: [] }),
        services: { 'kafka-1': { state: 'exited', exitCode: 137, oomKilled: true } },
      }),
    );
    expect(d).toMatchObject({ hop: 'kafka', marks: 'down' });
    expect(d?.cause).toBe('kafka-1 exited with code 137 (out of memory)');
  });

  it('Kafka not acknowledging: the producer’s queue and its last error', () => {
    const found = diagnose(
      signals({
        producer: producerStatus({
          metrics: metrics({
            queuedPoints: 4_000,
            lastError: { code: 'KAFKA_SEND_FAILED', message: 'NOT_ENOUGH_REPLICAS' },
          }),
        }),
        stillMs: { acknowledged: 6_000 },
      }),
    );
    expect(found[0]).toMatchObject({ hop: 'kafka', marks: 'stalled' });
    expect(found[0]?.cause).toBe(
      '4,000 points wait in the producer, none acknowledged for 6.0 s; last error: NOT_ENOUGH_REPLICAS',
    );
  });

  it('behind schedule with a full queue: Kafka takes less than asked', () => {
    const [d] = diagnose(
      signals({
        producer: producerStatus({ metrics: metrics({ lagMs: 4_200, queuedPoints: 150_000 }) }),
        run: { askedPerSecond: 200_000, recentSkippedTicks: 30 },
        rates: { acknowledged: 60_000 },
      }),
    );
    expect(line(d as never)).toBe(
      'Producer is behind schedule by 4.2 s: the asked rate is more than Kafka takes here: 60,000 of 200,000 points/s acknowledged, 150,000 queued → Lower the rate or the number of walks',
    );
  });

  it('skipping ticks with a short queue: generating is the limit, not Kafka', () => {
    const [d] = diagnose(
      signals({
        producer: producerStatus({ metrics: metrics({ lagMs: 300, queuedPoints: 2_000 }) }),
        run: { askedPerSecond: 1_000_000, recentSkippedTicks: 5 },
        rates: { acknowledged: 400_000 },
      }),
    );
    expect(d?.problem).toBe('Producer skipped 5 ticks in the last 10 s');
    expect(d?.cause).toContain('more than this machine keeps up with');
  });

  it('Telegraf running but consuming nothing while Kafka holds data: a stall whose cause it does not invent', () => {
    const [d] = diagnose(
      signals({ run: { consumed: 3_000 }, kafka: kafka({ totalLag: 400 }), stillMs: { consumed: 7_000 } }),
    );
    expect(d).toMatchObject({ hop: 'telegraf', marks: 'stalled' });
    expect(d?.cause).toBe('it has consumed nothing for 7.0 s while 2,990 points wait in Kafka');
  });

  it('Telegraf’s writes failing while InfluxDB answers the app', () => {
    const [d] = diagnose(signals({ run: { recentWriteErrors: 3 } }));
    expect(d).toMatchObject({ hop: 'telegraf', severity: 'warn' });
    expect(d?.cause).toBe('3 failed writes in the last 10 s; InfluxDB answers the app’s queries');
  });

  it('dropped points are data loss', () => {
    const [d] = diagnose(signals({ run: { dropped: 250 } }));
    expect(d).toMatchObject({
      hop: 'telegraf',
      severity: 'bad',
      problem: 'Data loss: Telegraf dropped 250 points this run',
    });
  });

  it('the headless producer running beside the app’s: another producer writes the same walks', () => {
    const [d] = diagnose(signals({ headlessProducer: true }));
    expect(d).toMatchObject({ hop: 'producer', problem: 'Another producer is writing the same walks' });
  });

  it('messages arriving while the app’s producer has been stopped a while: something else writes', () => {
    const stopped = { producer: producerStatus({ state: 'stopped' as const }) };
    expect(diagnose(signals({ ...stopped, run: { producing: false, stoppedForMs: 2_000 } }))).toEqual([]);
    const [d] = diagnose(signals({ ...stopped, run: { producing: false, stoppedForMs: 8_000 } }));
    expect(d).toMatchObject({ hop: 'kafka', problem: 'Something else writes to the topic' });
    expect(d?.cause).toBe('10 messages/s arrive while this app’s producer is stopped');
  });

  it('puts the stalls before the warnings', () => {
    const found = diagnose(signals({ headlessProducer: true, services: { telegraf: { state: 'paused' } } }));
    expect(found.map((d) => d.severity)).toEqual(['bad', 'warn']);
  });
});

describe('containerProblem', () => {
  it('says why a container is not working, from its state, exit code and OOM flag', () => {
    expect(containerProblem(running('influxdb'))).toBeNull();
    expect(containerProblem(running('influxdb', { health: 'unhealthy' }))).toBe(
      'its container runs but fails its healthcheck',
    );
    expect(containerProblem(running('influxdb', { state: 'exited', exitCode: 1 }))).toBe(
      'its container exited with code 1',
    );
    expect(
      containerProblem(
        running('influxdb', { state: 'restarting', restartCount: 4, exitCode: 137, oomKilled: true }),
      ),
    ).toBe('its container keeps restarting (4 restarts; last exit code 137 (out of memory))');
    expect(containerProblem(undefined)).toBe('it has no container in the running stack');
  });
});
