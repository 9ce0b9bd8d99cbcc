import { DashboardBuilder, DashboardCursorSync } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { FluxQueryBuilder, FROM_RANGE } from './flux-query';
import { POINTS_PER_SECOND } from './random-walks.dashboard';

/** A per-second rate of one of Telegraf's ever-growing internal counters. */
function counterRate(measurement: string, field: string, extra = ''): string {
  return `${FROM_RANGE}
  |> filter(fn: (r) => r._measurement == "${measurement}" and r._field == "${field}"${extra})
  |> derivative(unit: 1s, nonNegative: true)
  |> aggregateWindow(every: v.windowPeriod, fn: mean, createEmpty: false)`;
}

function gauge(measurement: string, field: string, extra = ''): string {
  return `${FROM_RANGE}
  |> filter(fn: (r) => r._measurement == "${measurement}" and r._field == "${field}"${extra})
  |> aggregateWindow(every: v.windowPeriod, fn: last, createEmpty: false)`;
}

const KAFKA_INPUT = ' and r.input == "kafka_consumer"';
// The Kafka data's own output (telegraf.conf gives it the alias kafka_data).
const INFLUX_OUTPUT = ' and r.output == "influxdb_v2" and r.alias == "kafka_data"';

function timeseries(title: string, description: string, unit: string, query: string, x: number, y: number) {
  return new TimeseriesPanel()
    .title(title)
    .description(description)
    .unit(unit)
    .gridPos({ x, y, w: 12, h: 8 })
    .withTarget(new FluxQueryBuilder('A', query));
}

export function pipelineHealthDashboard() {
  return new DashboardBuilder('Pipeline health')
    .uid('walkstream-pipeline-health')
    .tags(['walkstream'])
    .description("Telegraf's own metrics (inputs.internal) and the end-to-end flow into InfluxDB.")
    .refresh('5s')
    .time({ from: 'now-15m', to: 'now' })
    .tooltip(DashboardCursorSync.Crosshair)
    .withPanel(
      timeseries(
        'Points stored per second',
        'Walk points written to InfluxDB per second: the end-to-end rate.',
        'pps',
        POINTS_PER_SECOND,
        0,
        0,
      ),
    )
    .withPanel(
      new StatPanel()
        .title('Data freshness')
        .description('Age of the newest walk point in InfluxDB: how far storage trails the producer.')
        .unit('s')
        .decimals(2)
        .gridPos({ x: 12, y: 0, w: 12, h: 8 })
        .withTarget(
          new FluxQueryBuilder(
            'A',
            `from(bucket: v.defaultBucket)
  |> range(start: -5m)
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "seq")
  |> group()
  |> last()
  |> map(fn: (r) => ({_time: r._time, _value: float(v: uint(v: now()) - uint(v: r._time)) / 1000000000.0}))`,
          ),
        ),
    )
    .withPanel(
      timeseries(
        'Telegraf gather rate',
        'Metrics read from Kafka per second.',
        'pps',
        counterRate('internal_gather', 'metrics_gathered', KAFKA_INPUT),
        0,
        8,
      ),
    )
    .withPanel(
      timeseries(
        'Telegraf write rate',
        'Metrics written to InfluxDB per second.',
        'pps',
        counterRate('internal_write', 'metrics_written', INFLUX_OUTPUT),
        12,
        8,
      ),
    )
    .withPanel(
      timeseries(
        'Write errors',
        'Failed writes to InfluxDB per second (retried from the buffer).',
        'short',
        counterRate('internal_write', 'errors', INFLUX_OUTPUT),
        0,
        16,
      ),
    )
    .withPanel(
      timeseries(
        'Output buffer',
        "Metrics waiting in Telegraf's output buffer; grows while InfluxDB is slow or down.",
        'short',
        gauge('internal_write', 'buffer_size', INFLUX_OUTPUT),
        12,
        16,
      ),
    )
    .withPanel(
      timeseries(
        'Dropped metrics',
        'Metrics dropped because the output buffer was full, per second.',
        'short',
        counterRate('internal_write', 'metrics_dropped', INFLUX_OUTPUT),
        0,
        24,
      ),
    )
    .withPanel(
      timeseries(
        'Gather errors',
        'Errors while reading from Kafka (e.g. malformed messages), per second.',
        'short',
        counterRate('internal_agent', 'gather_errors'),
        12,
        24,
      ),
    )
    .build();
}
