import { VisibilityMode } from '@grafana/grafana-foundation-sdk/common';
import { DashboardBuilder, DashboardCursorSync } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { FluxQueryBuilder, FROM_RANGE } from './flux-query';

/** Walks beyond this many are left out of the per-walk panels, so 10 000 walks cannot freeze a browser. */
const SHOWN_WALKS = 20;
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own template syntax, resolved per series.
const WALK_LABEL = '${__field.labels.walk}';
const WALK_FILTER = `r._measurement == "random_walk" and r._field == "value" and r.walk < "w${String(SHOWN_WALKS).padStart(4, '0')}"`;

export function randomWalksDashboard() {
  return new DashboardBuilder('Random walks')
    .uid('walkstream-random-walks')
    .tags(['walkstream'])
    .description(`The walks as stored in InfluxDB (the first ${SHOWN_WALKS} walks per panel).`)
    .refresh('1s')
    .time({ from: 'now-5m', to: 'now' })
    .tooltip(DashboardCursorSync.Crosshair)
    .readonly()
    .withPanel(
      new TimeseriesPanel()
        .title('Walks')
        .description(`Last value of each walk per interval; first ${SHOWN_WALKS} walks.`)
        .gridPos({ x: 0, y: 0, w: 24, h: 12 })
        .withTarget(
          new FluxQueryBuilder(
            'A',
            `${FROM_RANGE}
  |> filter(fn: (r) => ${WALK_FILTER})
  |> aggregateWindow(every: v.windowPeriod, fn: last, createEmpty: false)
  |> keep(columns: ["_time", "_value", "walk"])`,
          ),
        )
        .displayName(WALK_LABEL)
        .lineWidth(1)
        .showPoints(VisibilityMode.Never),
    )
    .withPanel(
      new StatPanel()
        .title('Last value')
        .gridPos({ x: 0, y: 12, w: 12, h: 6 })
        .withTarget(
          new FluxQueryBuilder(
            'A',
            `${FROM_RANGE}
  |> filter(fn: (r) => ${WALK_FILTER})
  |> last()
  |> keep(columns: ["_time", "_value", "walk"])`,
          ),
        )
        .displayName(WALK_LABEL)
        .decimals(3),
    )
    .withPanel(
      new StatPanel()
        .title('Min / max over the range')
        .gridPos({ x: 12, y: 12, w: 6, h: 6 })
        .withTarget(
          new FluxQueryBuilder(
            'MIN',
            `${FROM_RANGE}
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "value")
  |> group()
  |> min()
  |> map(fn: (r) => ({_time: r._time, _value: r._value, stat: "min"}))`,
          ),
        )
        .withTarget(
          new FluxQueryBuilder(
            'MAX',
            `${FROM_RANGE}
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "value")
  |> group()
  |> max()
  |> map(fn: (r) => ({_time: r._time, _value: r._value, stat: "max"}))`,
          ),
        )
        .decimals(3),
    )
    .withPanel(
      new StatPanel()
        .title('Points per second')
        .description('Points stored per second over the last interval, all walks.')
        .gridPos({ x: 18, y: 12, w: 6, h: 6 })
        .unit('pps')
        .withTarget(new FluxQueryBuilder('A', POINTS_PER_SECOND)),
    )
    .build();
}

/** Stored walk points per second, all walks together. */
export const POINTS_PER_SECOND = `${FROM_RANGE}
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "seq")
  |> group()
  |> aggregateWindow(every: v.windowPeriod, fn: count, createEmpty: false)
  |> map(fn: (r) => ({_time: r._time, _value: float(v: r._value) / (float(v: uint(v: v.windowPeriod)) / 1000000000.0)}))`;
