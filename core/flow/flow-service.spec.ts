/**
 * The flow service over a fake hub and a fake InfluxDB: totals count from the run's start,
 * latency is first-seen time − point time for each new point of the sampled walks (each point
 * once), one refresh runs at a time, and InfluxDB's refusal keeps its HTTP status.
 */
import { DEFAULT_PARAMS } from '@walkstream/producer';
import { describe, expect, it } from 'vitest';
import type { FlowStatus, ProducerStatus } from '../contract/data';
import { EventHub } from '../events/event-hub';
import type { FluxRows } from '../preview/preview-service';
import { FlowService } from './flow-service';
import { metrics, telegraf } from './flow-signals.fixture';

interface FakeInflux extends FluxRows {
  points: { walk: string; t: number }[];
  queries: string[];
  fail: Error | null;
  hold: Promise<void> | null;
}

function fakeInflux(): FakeInflux {
  const db: FakeInflux = {
    points: [],
    queries: [],
    fail: null,
    hold: null,
    collectRows: async <T>(q: string) => {
      db.queries.push(q);
      if (db.hold) await db.hold;
      if (db.fail) throw db.fail;
      if (q.includes('reduce(')) {
        const start = Date.parse(/range\(start: ([^)]+)\)/.exec(q)?.[1] ?? '');
        const mine = db.points.filter((p) => p.t >= start);
        const perWalk = new Map<string, number>();
        for (const p of mine) perWalk.set(p.walk, (perWalk.get(p.walk) ?? 0) + 1);
        const newest = Math.max(...mine.map((p) => p.t));
        return (
          mine.length
            ? [{ stored: [...perWalk.values()].reduce((a, b) => a + b, 0), newest: newest * 1e6 }]
            : []
        ) as T[];
      }
      const rows: { walk: string; _time: string }[] = [];
      for (const m of q.matchAll(/\(r\.walk == "([^"]+)" and r\._time > ([^)\s]+)\)/g)) {
        const after = Date.parse(m[2] as string);
        for (const p of db.points)
          if (p.walk === m[1] && p.t > after) rows.push({ walk: p.walk, _time: new Date(p.t).toISOString() });
      }
      return rows as T[];
    },
  };
  return db;
}

function setup() {
  let now = 1_800_000_000_000;
  const hub = new EventHub();
  const influx = fakeInflux();
  const flow = new FlowService({ hub, query: influx, bucket: () => 'walks', now: () => now });
  flow.init();
  const published: FlowStatus[] = [];
  hub.subscribe('flow:status', (s) => published.push(s));
  const producer = (patch: Partial<ProducerStatus> = {}): ProducerStatus => ({
    state: 'running',
    startedAt: 1_800_000_000_000,
    params: { ...DEFAULT_PARAMS, walks: 2, rate: 10 },
    metrics: metrics(),
    error: null,
    ...patch,
  });
  return {
    hub,
    flow,
    influx,
    published,
    producer,
    advance: (ms: number) => {
      now += ms;
      return now;
    },
    now: () => now,
  };
}

describe('FlowService', () => {
  it('measures latency from each new point’s timestamp to the probe that first saw it, once per point', async () => {
    const { hub, flow, influx, producer, advance, now } = setup();
    const start = now();
    hub.publish('producer:status', producer());
    influx.points.push({ walk: 'w0000', t: start + 100 }, { walk: 'w0001', t: start + 100 });
    advance(900); // first seen at start + 900: 800 ms each
    await flow.probe();
    influx.points.push({ walk: 'w0000', t: start + 1_000 }, { walk: 'w0001', t: start + 1_000 });
    advance(1_400); // the old points again, and the new ones seen at start + 2 300: 1 300 ms each
    await flow.probe();
    const { latency } = flow.status();
    // 2 walks × 10 ticks/s: a light run, probed as often as the benchmark's clock asks.
    expect(latency).toMatchObject({ samples: 4, p50Ms: 800, p99Ms: 1_300, probeMs: 100 });
  });

  it('with no run of its own, asks InfluxDB for the newest point every 5 s rather than every refresh', async () => {
    const { flow, influx, advance } = setup();
    const storedQueries = () => influx.queries.filter((q) => q.includes('reduce(')).length;
    for (let i = 0; i < 4; i++) {
      await flow.tick();
      advance(1_000);
    }
    expect(storedQueries()).toBe(1);
    advance(1_000);
    await flow.tick();
    expect(storedQueries()).toBe(2);
  });

  it('probes less often as the run asks for more, and says how often', () => {
    const { hub, flow, producer } = setup();
    hub.publish('producer:status', producer({ params: { ...DEFAULT_PARAMS, walks: 100, rate: 100 } }));
    expect(flow.status().latency.probeMs).toBe(250);
    hub.publish('producer:status', producer({ params: { ...DEFAULT_PARAMS, walks: 100, rate: 600 } }));
    expect(flow.status().latency.probeMs).toBe(500);
  });

  it('asks each sampled walk only for what is newer than its newest seen point', async () => {
    const { hub, flow, influx, producer, advance, now } = setup();
    const start = now();
    hub.publish('producer:status', producer());
    influx.points.push({ walk: 'w0000', t: start + 100 });
    advance(500);
    await flow.probe();
    advance(500);
    await flow.probe();
    const last = influx.queries.at(-1) ?? '';
    expect(last).toContain(`(r.walk == "w0000" and r._time > ${new Date(start + 100).toISOString()})`); // after its point
    expect(last).toContain(`(r.walk == "w0001" and r._time > ${new Date(start - 1).toISOString()})`); // nothing seen yet
  });

  it("reads the acknowledged count at Telegraf's own sample time for the Kafka backlog", () => {
    const { hub, flow, producer, advance, now } = setup();
    hub.publish('producer:status', producer({ metrics: metrics({ pointsProduced: 0 }) }));
    hub.publish('telegraf:stats', telegraf({ consumedPoints: 50_000, consumedAt: now() }));
    const t0 = advance(1_000);
    hub.publish('producer:status', producer({ metrics: metrics({ pointsProduced: 1_000 }) }));
    advance(1_000);
    hub.publish('producer:status', producer({ metrics: metrics({ pointsProduced: 2_000 }) }));
    // Telegraf counted 1 400 more, half a second after t0, when 1 500 were acknowledged.
    hub.publish('telegraf:stats', telegraf({ consumedPoints: 51_400, consumedAt: t0 + 500 }));
    expect(flow.status().hops.kafka.backlog).toBe(100);
    // A stamp from the future (another clock) falls back to the count of now.
    hub.publish('telegraf:stats', telegraf({ consumedPoints: 51_400, consumedAt: now() + 5_000 }));
    expect(flow.status().hops.kafka.backlog).toBe(600);
  });

  it('a new run starts the latency and the totals over', async () => {
    const { hub, flow, influx, producer, advance, now } = setup();
    hub.publish('producer:status', producer());
    hub.publish('telegraf:stats', telegraf({ consumedPoints: 10_000 }));
    influx.points.push({ walk: 'w0000', t: now() + 10 });
    advance(500);
    await flow.probe();
    hub.publish('telegraf:stats', telegraf({ consumedPoints: 10_700 }));
    expect(flow.status().hops.telegraf.consumed).toBe(700);
    expect(flow.status().latency.samples).toBe(1);

    hub.publish(
      'producer:status',
      producer({ startedAt: advance(10_000), metrics: metrics({ pointsProduced: 0 }) }),
    );
    hub.publish('telegraf:stats', telegraf({ consumedPoints: 11_000 }));
    expect(flow.status().hops.telegraf.consumed).toBe(0);
    expect(flow.status().latency.samples).toBe(0);
  });

  it('publishes the run’s stored points from InfluxDB each tick', async () => {
    const { hub, flow, influx, producer, published, now } = setup();
    hub.publish('producer:status', producer());
    influx.points.push({ walk: 'w0000', t: now() - 5_000 }); // an earlier run's
    influx.points.push({ walk: 'w0000', t: now() + 100 }, { walk: 'w0001', t: now() + 100 });
    await flow.tick();
    expect(published.at(-1)?.hops.influxdb).toMatchObject({ stored: 2, queryError: null });
    expect(influx.queries[0]).toContain(`range(start: ${new Date(now()).toISOString()})`);
  });

  it('keeps InfluxDB’s HTTP status when it refuses the query', async () => {
    const { hub, flow, influx, producer } = setup();
    hub.publish('producer:status', producer());
    influx.fail = Object.assign(new Error('unauthorized access'), { statusCode: 401 });
    const status = await flow.tick();
    expect(status?.hops.influxdb.queryError).toEqual({ status: 401, message: 'unauthorized access' });
    expect(status?.diagnoses[0]?.problem).toBe('InfluxDB refuses the app’s queries');
  });

  it('runs one refresh at a time and does not wait long for a hanging InfluxDB', async () => {
    const { hub, flow, influx, producer, published } = setup();
    hub.publish('producer:status', producer());
    let release = () => {};
    influx.hold = new Promise((r) => (release = r));
    const first = flow.tick();
    expect(await flow.tick()).toBeNull(); // skipped: the first is still running
    expect(await first).not.toBeNull(); // published without the count after a short wait
    expect(published).toHaveLength(1);
    await flow.tick(); // the hanging query is not asked again meanwhile
    expect(influx.queries.filter((q) => q.includes('reduce('))).toHaveLength(1);
    release();
  });
});
