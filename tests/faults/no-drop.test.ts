/**
 * Fault scenario 6: large backlogs loaded by producers that are not ours (raw kafkajs, no walk
 * model), in 100-line messages and in a mix of 1-, 10- and 100-line messages.
 *   - InfluxDB stopped for 2 minutes while over a million points are loaded, then started:
 *     InfluxDB ends with every point, Telegraf never reports a buffer overflow and never restarts.
 *   - A 3 000 000-point burst with InfluxDB up: every point arrives, Telegraf is not OOM-killed.
 * Each prints the backlog, Telegraf's peak memory and the drain time and rate.
 */
import Dockerode from 'dockerode';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, flux, kafka, runId, stackEnv, waitUntil } from '../stack/stack-env';
import { holdFaultFor, influxHealthy, report, restoreStack, TOPIC } from './fault-harness';

const MEASUREMENT = 'nodrop_load';
const docker = new Dockerode();
let raw: Producer;

beforeAll(async () => {
  raw = kafka('walkstream-faults-loader').producer({ allowAutoTopicCreation: false });
  await raw.connect();
});

afterAll(async () => {
  await raw?.disconnect();
  await restoreStack();
});

interface Lane {
  name: string;
  points: number;
  /** Lines per message, cycled. */
  linesPerMessage: number[];
}

/** Loads each lane's points 0..n-1 onto the topic as line protocol, a few sends in flight. */
async function load(tag: string, lanes: Lane[]): Promise<number> {
  const base = BigInt(Date.now() - 3_600_000) * 1_000_000n;
  // 300 messages of at most 100 lines stay under a broker's 1 MB per partition batch.
  const send = (messages: { key: string; value: string }[]) => raw.send({ topic: TOPIC, acks: -1, messages });
  let total = 0;
  for (const lane of lanes) {
    let batch: { key: string; value: string }[] = [];
    const inFlight: Promise<unknown>[] = [];
    for (let n = 0, m = 0; n < lane.points; m++) {
      const lines = Math.min(
        lane.linesPerMessage[m % lane.linesPerMessage.length] as number,
        lane.points - n,
      );
      const body: string[] = [];
      for (let i = 0; i < lines; i++, n++) {
        body.push(
          `${MEASUREMENT},run=${tag},lane=${lane.name} n=${n}i,v=${(n * 0.37).toFixed(3)} ${base + BigInt(n)}`,
        );
      }
      batch.push({ key: `${lane.name}-${m % 64}`, value: body.join('\n') });
      if (batch.length === 300) {
        inFlight.push(send(batch));
        batch = [];
        if (inFlight.length >= 4) await inFlight.shift();
      }
    }
    if (batch.length) inFlight.push(send(batch));
    await Promise.all(inFlight);
    total += lane.points;
  }
  return total;
}

/** Points of each lane InfluxDB holds for this load: count, min and max of n. */
async function stored(tag: string): Promise<Map<string, { count: number; min: number; max: number }>> {
  const base = `data = from(bucket: "${stackEnv.influxBucket}")
  |> range(start: -2h)
  |> filter(fn: (r) => r._measurement == "${MEASUREMENT}" and r.run == "${tag}" and r._field == "n")
  |> group(columns: ["lane"])`;
  const rows = await flux<{ lane: string; _value: number; stat: string }>(`${base}
union(tables: [
  data |> count() |> set(key: "stat", value: "count"),
  data |> min() |> keep(columns: ["lane", "_value"]) |> set(key: "stat", value: "min"),
  data |> max() |> keep(columns: ["lane", "_value"]) |> set(key: "stat", value: "max"),
])`);
  const out = new Map<string, { count: number; min: number; max: number }>();
  for (const r of rows) {
    const s = out.get(r.lane) ?? { count: 0, min: 0, max: 0 };
    s[r.stat as 'count' | 'min' | 'max'] = Number(r._value);
    out.set(r.lane, s);
  }
  return out;
}

/** Waits until InfluxDB holds as many points of this load as were loaded (which ones: expectExact). */
async function waitForAllStored(tag: string, loaded: number): Promise<void> {
  await waitUntil(
    `InfluxDB holds all ${loaded} points`,
    async () => [...(await stored(tag)).values()].reduce((a, s) => a + s.count, 0),
    (n) => n >= loaded,
    600_000,
    2_000,
  );
}

function expectExact(lanes: Lane[], got: Map<string, { count: number; min: number; max: number }>): void {
  for (const lane of lanes) {
    expect({ lane: lane.name, ...got.get(lane.name) }).toEqual({
      lane: lane.name,
      count: lane.points,
      min: 0,
      max: lane.points - 1,
    });
  }
}

async function telegrafContainer() {
  const id = (await compose('ps', '-q', 'telegraf')).trim();
  if (!id) throw new Error('the telegraf container is not running');
  return docker.getContainer(id);
}

/** Telegraf's memory as `docker stats` shows it (usage minus inactive page cache), sampled until stopped. */
function sampleMemory(container: Dockerode.Container): { stop: () => Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      // A restarting container has no stats for a moment; the restart itself is checked apart.
      const oneShotStats = container.stats.bind(container) as unknown as (o: object) => Promise<MemoryStats>;
      const s = await oneShotStats({ stream: false, 'one-shot': true }).catch(() => null);
      const stats = s?.memory_stats?.stats ?? {};
      const cache = stats.inactive_file ?? stats.total_inactive_file ?? 0;
      peak = Math.max(peak, (s?.memory_stats?.usage ?? 0) - cache);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return peak;
    },
  };
}

async function telegrafState(container: Dockerode.Container) {
  const info = await container.inspect();
  return { oomKilled: info.State.OOMKilled, restarts: info.RestartCount, startedAt: info.State.StartedAt };
}

const MIB = 2 ** 20;

interface MemoryStats {
  memory_stats?: { usage?: number; stats?: Record<string, number> };
}

describe('large backlogs from other producers', () => {
  it('InfluxDB stopped for 2 minutes while 1 100 000 points are loaded: every point arrives, no buffer overflow, no restart', {
    timeout: 900_000,
  }, async () => {
    const tag = `${runId}-outage`;
    const lanes: Lane[] = [
      { name: 'hundreds', points: 1_000_000, linesPerMessage: [100] },
      { name: 'mixed', points: 100_000, linesPerMessage: [1, 10, 100] },
    ];
    const telegraf = await telegrafContainer();
    const before = await telegrafState(telegraf);
    const memory = sampleMemory(telegraf);
    const logsFrom = Math.floor(Date.now() / 1000);

    await compose('stop', 'influxdb');
    const stoppedAt = Date.now();
    const loaded = await load(tag, lanes);
    const loadedInMs = Date.now() - stoppedAt;
    await holdFaultFor(120_000 - (Date.now() - stoppedAt));
    await compose('start', 'influxdb');
    await waitUntil('InfluxDB healthy again', influxHealthy, (ok) => ok, 120_000, 250);
    const healthyAt = Date.now();
    await waitForAllStored(tag, loaded);
    const drainMs = Date.now() - healthyAt;
    const peak = await memory.stop();

    const storedByLane = await stored(tag);
    expectExact(lanes, storedByLane);
    const after = await telegrafState(telegraf);
    expect(after).toEqual({ ...before, oomKilled: false });
    const logs = await compose('logs', '--no-color', '--since', String(logsFrom), 'telegraf');
    expect(logs).not.toMatch(/buffer overflow|metrics have been dropped/i);
    report('6 InfluxDB stopped 2 min, 1.1 M points loaded by other producers', {
      points: loaded,
      stored: [...storedByLane.values()].reduce((a, l) => a + l.count, 0),
      loadedInMs,
      downForMs: healthyAt - stoppedAt,
      backlogPoints: loaded,
      drainedInMs: drainMs,
      drainRatePointsPerS: loaded / (drainMs / 1000),
      telegrafPeakMiB: peak / MIB,
      telegrafRestarts: after.restarts - before.restarts,
    });
  });

  it('a 3 000 000-point burst with InfluxDB up: every point arrives, Telegraf is not OOM-killed', {
    timeout: 900_000,
  }, async () => {
    const tag = `${runId}-burst`;
    const lanes: Lane[] = [{ name: 'burst', points: 3_000_000, linesPerMessage: [100] }];
    const telegraf = await telegrafContainer();
    const before = await telegrafState(telegraf);
    const memory = sampleMemory(telegraf);
    const t0 = Date.now();
    const loaded = await load(tag, lanes);
    const loadedInMs = Date.now() - t0;
    await waitForAllStored(tag, loaded);
    const storedInMs = Date.now() - t0;
    const peak = await memory.stop();

    const storedByLane = await stored(tag);
    expectExact(lanes, storedByLane);
    expect(await telegrafState(telegraf)).toEqual({ ...before, oomKilled: false });
    report('7 a 3 M-point burst, InfluxDB up', {
      points: loaded,
      stored: [...storedByLane.values()].reduce((a, l) => a + l.count, 0),
      loadedInMs,
      allStoredAfterMs: storedInMs,
      endToEndPointsPerS: loaded / (storedInMs / 1000),
      telegrafPeakMiB: peak / MIB,
    });
  });
});
