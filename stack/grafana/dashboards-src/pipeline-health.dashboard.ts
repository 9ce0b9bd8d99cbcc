import { BigValueGraphMode, ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { KAFKA_BROKERS } from './alert-rules';
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

/**
 * Brokers that accepted every TCP connection Telegraf's probe made in the window (telegraf.conf,
 * inputs.net_response; result_code 0 = accepted). A frozen broker still accepts, so this counts
 * brokers accepting connections, not brokers serving. The result is a tag: one broker's probes
 * span two series until they are grouped by broker.
 */
const BROKERS_ACCEPTING = `${FROM_RANGE}
  |> filter(fn: (r) => r._measurement == "kafka_broker_connect" and r._field == "result_code")
  |> group(columns: ["server"])
  |> sort(columns: ["_time"])
  |> map(fn: (r) => ({r with _value: if int(v: r._value) == 0 then 1.0 else 0.0}))
  |> aggregateWindow(every: v.windowPeriod, fn: min, createEmpty: false)
  |> group(columns: ["_time"])
  |> sum()
  |> group()
  |> sort(columns: ["_time"])`;

/** How full the Kafka data output's buffer is, in % of its limit. */
const BUFFER_FILL = `${FROM_RANGE}
  |> filter(fn: (r) => r._measurement == "internal_write" and (r._field == "buffer_size" or r._field == "buffer_limit")${INFLUX_OUTPUT})
  |> aggregateWindow(every: v.windowPeriod, fn: last, createEmpty: false)
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> map(fn: (r) => ({r with _value: if r.buffer_limit > 0 then 100.0 * float(v: r.buffer_size) / float(v: r.buffer_limit) else 0.0}))
  |> keep(columns: ["_time", "_value"])`;

/** Points the Kafka data output's buffer dropped over the dashboard's range (lost points). */
const DROPPED_IN_RANGE = `${FROM_RANGE}
  |> filter(fn: (r) => r._measurement == "internal_write" and r._field == "metrics_dropped"${INFLUX_OUTPUT})
  |> increase()
  |> last()`;

/** Age of the newest walk point in InfluxDB, in seconds. */
const NEWEST_POINT_AGE = `from(bucket: v.defaultBucket)
  |> range(start: -5m)
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "seq")
  |> group()
  |> last()
  |> map(fn: (r) => ({_time: r._time, _value: float(v: uint(v: now()) - uint(v: r._time)) / 1000000000.0}))`;

/** Colours from `steps`: [colour below the first value, [value, colour from there], ...]. */
function thresholds(base: string, ...steps: [number, string][]) {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...steps.map(([value, color]) => ({ value, color }))]);
}

const STRIP_HEIGHT = 5;

/** One figure of the strip across the top: a hop's number now, like the app's flow strip. */
function stat(title: string, description: string, unit: string, query: string, x: number, w: number) {
  return new StatPanel()
    .title(title)
    .description(description)
    .unit(unit)
    .gridPos({ x, y: 0, w, h: STRIP_HEIGHT })
    .graphMode(BigValueGraphMode.Area)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .withTarget(new FluxQueryBuilder('A', query));
}

function timeseries(title: string, description: string, unit: string, query: string, x: number, y: number) {
  return new TimeseriesPanel()
    .title(title)
    .description(description)
    .unit(unit)
    .gridPos({ x, y: STRIP_HEIGHT + y, w: 12, h: 8 })
    .withTarget(new FluxQueryBuilder('A', query));
}

export function pipelineHealthDashboard() {
  return (
    new DashboardBuilder('Pipeline health')
      .uid('walkstream-pipeline-health')
      .tags(['walkstream'])
      .description(
        "Each hop's figures, like the app's flow strip: Kafka brokers accepting connections (Telegraf's probe), Telegraf's own metrics (inputs.internal) and what InfluxDB stores. The producer's own counters (acknowledged, queued, skipped ticks) are not stored in InfluxDB: the app shows them.",
      )
      .refresh('5s')
      .time({ from: 'now-15m', to: 'now' })
      .tooltip(DashboardCursorSync.Crosshair)
      // The strip: one row of figures per hop, left to right as the data flows.
      .withPanel(
        stat(
          'Kafka: brokers accepting connections',
          `Brokers that accepted every TCP connection Telegraf tried in the last interval (of ${KAFKA_BROKERS}). A frozen broker still accepts connections, so it counts here.`,
          'none',
          BROKERS_ACCEPTING,
          0,
          4,
        )
          .min(0)
          .max(KAFKA_BROKERS)
          .thresholds(thresholds('red', [KAFKA_BROKERS - 1, 'orange'], [KAFKA_BROKERS, 'green'])),
      )
      .withPanel(
        stat(
          'Telegraf: consumed',
          'Points Telegraf read from Kafka per second.',
          'pps',
          counterRate('internal_gather', 'metrics_gathered', KAFKA_INPUT),
          4,
          3,
        ),
      )
      .withPanel(
        stat(
          'Telegraf: written',
          'Points Telegraf wrote to InfluxDB per second (InfluxDB accepted them).',
          'pps',
          counterRate('internal_write', 'metrics_written', INFLUX_OUTPUT),
          7,
          3,
        ),
      )
      .withPanel(
        stat(
          'Telegraf: dropped',
          "Points the Kafka data's output buffer dropped over the dashboard's time range: lost for good. The buffer is sized so this stays 0 (docs/no-drop.md).",
          'short',
          DROPPED_IN_RANGE,
          10,
          3,
        ).thresholds(thresholds('green', [1, 'red'])),
      )
      .withPanel(
        stat(
          'Telegraf: buffer fill',
          "How full the Kafka data's output buffer is: grows while InfluxDB is slow or away.",
          'percent',
          BUFFER_FILL,
          13,
          3,
        )
          .min(0)
          .max(100)
          .thresholds(thresholds('green', [10, 'orange'], [50, 'red'])),
      )
      .withPanel(
        stat(
          'InfluxDB: stored',
          'Walk points stored per second, counted by their tick time (so a backlog that drains fills in its past seconds).',
          'pps',
          POINTS_PER_SECOND,
          16,
          4,
        ),
      )
      .withPanel(
        stat(
          'InfluxDB: newest point age',
          'Age of the newest walk point in InfluxDB: how far storage trails the producer.',
          's',
          NEWEST_POINT_AGE,
          20,
          4,
        )
          .decimals(2)
          .graphMode(BigValueGraphMode.None)
          .thresholds(thresholds('green', [2, 'orange'], [10, 'red'])),
      )
      // The same hops over time.
      .withPanel(
        timeseries(
          'Points stored per second',
          'Walk points stored in InfluxDB per second, by their tick time: the end-to-end rate.',
          'pps',
          POINTS_PER_SECOND,
          0,
          0,
        ),
      )
      .withPanel(
        timeseries(
          'Kafka brokers accepting connections',
          `Brokers that accepted every TCP connection Telegraf tried in each interval (of ${KAFKA_BROKERS}).`,
          'none',
          BROKERS_ACCEPTING,
          12,
          0,
        )
          .min(0)
          .max(KAFKA_BROKERS),
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
      .build()
  );
}
