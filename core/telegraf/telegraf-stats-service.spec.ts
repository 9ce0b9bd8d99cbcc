import { describe, expect, it } from 'vitest';
import { EventHub } from '../events/event-hub';
import { parsePrometheusText } from './prometheus-text';
import { TelegrafStatsService, telegrafStatsFrom } from './telegraf-stats-service';

// As Telegraf 1.40's prometheus_client (metric_version 2) prints inputs.internal's metrics.
const SAMPLE = `# HELP internal_write_buffer_size Telegraf collected metric
# TYPE internal_write_buffer_size untyped
internal_write_buffer_size{alias="kafka_data",output="influxdb_v2",version="1.40.1"} 123456
internal_write_buffer_size{alias="telegraf_self",output="influxdb_v2",version="1.40.1"} 77
internal_write_buffer_limit{alias="kafka_data",output="influxdb_v2",version="1.40.1"} 2.73e+06
internal_write_metrics_written{alias="kafka_data",output="influxdb_v2",version="1.40.1"} 9000
internal_write_metrics_dropped{alias="kafka_data",output="influxdb_v2",version="1.40.1"} 5
internal_write_metrics_dropped{alias="telegraf_self",output="influxdb_v2",version="1.40.1"} 999
internal_write_errors{alias="kafka_data",output="influxdb_v2",version="1.40.1"} 12
internal_gather_metrics_gathered{input="kafka_consumer",version="1.40.1"} 130000 1800000000123
internal_gather_metrics_gathered{input="internal",version="1.40.1"} 400
`;

describe('telegrafStatsFrom', () => {
  it("counts only the Kafka data's output, not Telegraf's own metrics", () => {
    expect(telegrafStatsFrom(SAMPLE, 1)).toEqual({
      reachable: true,
      error: null,
      bufferedPoints: 123456,
      bufferLimit: 2_730_000,
      writtenPoints: 9000,
      droppedPoints: 5,
      writeErrors: 12,
      consumedPoints: 130000,
      // export_timestamp = true: the time Telegraf gathered it.
      consumedAt: 1_800_000_000_123,
      at: 1,
    });
  });

  it('leaves a figure null when Telegraf does not report it', () => {
    expect(telegrafStatsFrom('internal_write_errors{alias="other"} 3\n', 1).writeErrors).toBeNull();
  });
});

describe('parsePrometheusText', () => {
  it('reads escaped label values and skips comments and garbage', () => {
    expect(parsePrometheusText('# c\nm{a="x\\"y",b="z"} 2\nnot a sample\n')).toEqual([
      { name: 'm', labels: { a: 'x"y', b: 'z' }, value: 2, timestampMs: null },
    ]);
    expect(parsePrometheusText('m 2 1800000000123\n')[0]?.timestampMs).toBe(1_800_000_000_123);
  });
});

describe('TelegrafStatsService', () => {
  it('publishes an unreachable state naming the URL when Telegraf does not answer', async () => {
    const hub = new EventHub();
    const seen: unknown[] = [];
    hub.subscribe('telegraf:stats', (d) => seen.push(d));
    const svc = new TelegrafStatsService({
      url: () => 'http://127.0.0.1:1/metrics',
      hub,
      fetch: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:1');
      },
    });
    const stats = await svc.poll();
    expect(stats.reachable).toBe(false);
    expect(stats.bufferedPoints).toBeNull();
    expect(stats.error?.code).toBe('TELEGRAF_UNREACHABLE');
    expect(stats.error?.message).toContain('http://127.0.0.1:1/metrics');
    expect(seen).toEqual([stats]);
  });

  it('reads the endpoint it is given', async () => {
    const svc = new TelegrafStatsService({
      url: () => 'http://t/metrics',
      hub: new EventHub(),
      fetch: async (url) => new Response(String(url) === 'http://t/metrics' ? SAMPLE : '', { status: 200 }),
    });
    expect((await svc.poll()).bufferedPoints).toBe(123456);
  });
});
