import { createKafkaSink, createProducer, type RecordSink } from '@walkstream/producer';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDashboards } from '../../stack/grafana/dashboards-src/generate';
import { flux, runId, stackEnv, waitUntil } from './stack-env';

const N_WALKS = 20;
const N_TICKS = 5_000;
const N = N_WALKS * N_TICKS; // 100 000 points
const prefix = `${runId}-`;
const produced = new Map<string, string>(); // "walk/seq" -> value as written on the wire
const startedAt = new Date(Date.now() - 60_000).toISOString();

const walkFilter = `r._measurement == "random_walk" and strings.hasPrefix(v: r.walk, prefix: "${prefix}")`;

function bitsOf(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}

/** Wraps the real Kafka sink to remember every point acknowledged by Kafka. */
function recordingSink(inner: RecordSink): RecordSink {
  return {
    ...inner,
    async send(records) {
      await inner.send(records);
      for (const line of records.flatMap((r) => r.value.split('\n'))) {
        const m = /,walk=(\S+) value=([^,]+),seq=(\d+)i /.exec(line);
        if (!m) throw new Error(`unexpected line ${line}`);
        produced.set(`${m[1]}/${m[3]}`, m[2] as string);
      }
    },
  };
}

afterAll(() => {
  produced.clear();
});

describe('the pipeline end to end', () => {
  it(`delivers exactly ${N.toLocaleString('en-US')} points to InfluxDB, each (walk, seq) once, values bit-identical`, async () => {
    const sink = recordingSink(createKafkaSink({ brokers: stackEnv.brokers, topic: 'random-walks' }));
    const producer = createProducer({
      sink,
      params: { walks: N_WALKS, rate: 2_000, volatility: 3, seed: 2026 },
      walkIdPrefix: prefix,
      maxTicks: N_TICKS,
    });
    const stopped = new Promise<void>((resolve) => producer.on('state', (s) => s === 'stopped' && resolve()));
    await producer.start();
    await stopped;
    expect(producer.metrics().pointsProduced).toBe(N);
    expect(produced.size).toBe(N);

    const countQuery = `import "strings"
from(bucket: "${stackEnv.influxBucket}")
  |> range(start: ${startedAt})
  |> filter(fn: (r) => ${walkFilter} and r._field == "value")
  |> group()
  |> count()`;
    const t0 = Date.now();
    await waitUntil(
      `InfluxDB holds ${N} points`,
      async () => Number((await flux<{ _value: number }>(countQuery))[0]?._value ?? 0),
      (n) => n >= N,
      120_000,
      1_000,
    );
    console.log(
      `all ${N} points queryable ${((Date.now() - t0) / 1000).toFixed(1)} s after the last was acknowledged`,
    );

    const rows = await flux<{ walk: string; seq: number; value: number }>(`import "strings"
from(bucket: "${stackEnv.influxBucket}")
  |> range(start: ${startedAt})
  |> filter(fn: (r) => ${walkFilter})
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> keep(columns: ["walk", "seq", "value"])`);
    expect(rows).toHaveLength(N);
    const seen = new Set<string>();
    const mismatches: string[] = [];
    for (const row of rows) {
      const key = `${row.walk}/${row.seq}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      const sent = produced.get(key);
      if (sent === undefined || bitsOf(Number(sent)) !== bitsOf(row.value)) {
        mismatches.push(`${key}: sent ${sent}, stored ${row.value}`);
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(seen.size).toBe(N);
  });

  it("answers every Grafana panel's Flux query with rows (macros substituted as Grafana does)", async () => {
    interface Panel {
      title: string;
      targets?: { query: string }[];
      panels?: Panel[];
    }
    const macros: Record<string, string> = {
      'v.timeRangeStart': '-15m',
      'v.timeRangeStop': 'now()',
      'v.windowPeriod': '10s',
      'v.defaultBucket': `"${stackEnv.influxBucket}"`,
      'v.organization': `"${stackEnv.influxOrg}"`,
    };
    const failures: string[] = [];
    let queries = 0;
    for (const [file, json] of Object.entries(renderDashboards())) {
      const dashboard = JSON.parse(json) as { panels: Panel[] };
      // A collapsed row holds its panels inside it: those are queried too.
      for (const panel of dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])])) {
        for (const target of panel.targets ?? []) {
          const query = target.query.replace(/v\.[a-zA-Z]+/g, (m) => macros[m] ?? m);
          queries++;
          try {
            const rows = await flux(query);
            if (rows.length === 0) failures.push(`${file} / ${panel.title}: no rows`);
          } catch (err) {
            failures.push(`${file} / ${panel.title}: ${(err as Error).message}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(queries).toBeGreaterThanOrEqual(10);
  });
});
