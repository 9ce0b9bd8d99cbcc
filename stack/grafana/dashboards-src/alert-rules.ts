/**
 * Grafana alert rules as code, written to provisioning/alerting/walkstream.yaml by generate.ts.
 * Each rule is one Flux query that returns a single number and a threshold on it: the stack suite
 * runs the same query against the real InfluxDB and applies the same threshold, healthy and under
 * the matching fault (tests/faults/alert-rules.test.ts).
 * Queries name the bucket through ${INFLUX_BUCKET}, which Grafana fills from its environment when
 * it reads the provisioning file, and use no Flux string interpolation (which would look the same).
 */
import { stringify } from 'yaml';
import { INFLUX_DATASOURCE } from './flux-query';

interface AlertRuleBase {
  uid: string;
  title: string;
  /** What the user should do, shown with the alert. */
  summary: string;
  /** Flux returning one row whose _value is the number the threshold looks at. */
  query: string;
  /** How long the condition must hold before the rule fires. */
  for: string;
}

/** Fires while the number is above `above`, or below `below`: exactly one of the two. */
export type AlertRule = AlertRuleBase & ({ above: number; below?: never } | { below: number; above?: never });

/** Grafana's threshold expression for the rule: what it evaluates, and what the tests apply. */
export function thresholdOf(r: AlertRule): { type: 'gt' | 'lt'; params: [number] } {
  return r.below !== undefined ? { type: 'lt', params: [r.below] } : { type: 'gt', params: [r.above] };
}

/** Whether the rule fires on `value`, as its threshold expression decides. */
export function ruleFires(r: AlertRule, value: number): boolean {
  const { type, params } = thresholdOf(r);
  return type === 'gt' ? value > params[0] : value < params[0];
}

/** The Kafka brokers the stack runs; telegraf.conf probes each one's internal listener. */
export const KAFKA_BROKERS = 3;

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own ${VAR}, filled when it reads the file.
const BUCKET = 'from(bucket: "${INFLUX_BUCKET}")';

/** One of Telegraf's own fields for the output that writes the Kafka data, over `range`. */
function kafkaOutputField(range: string, field: string): string {
  return `${BUCKET}
  |> range(start: ${range})
  |> filter(fn: (r) => r._measurement == "internal_write" and r.alias == "kafka_data" and r._field == "${field}")
  |> group()`;
}

/** How much one of those ever-growing counters grew over `range` (last − first sample). */
function kafkaOutputIncrease(field: string, range = '-1m', extra = ''): string {
  return `${kafkaOutputField(range, field)}
  |> sort(columns: ["_time"])
  |> reduce(identity: {first: -1.0, last: 0.0}, fn: (r, accumulator) => ({
      first: if accumulator.first < 0.0 then float(v: r._value) else accumulator.first,
      last: float(v: r._value)}))
  |> map(fn: (r) => ({_value: r.last - r.first${extra}}))`;
}

export const ALERT_RULES: AlertRule[] = [
  {
    uid: 'walkstream-data-stale',
    title: 'Walk data older than 10 s',
    summary:
      'No new walk point reached InfluxDB for more than 10 s: the producer stopped or a hop of the pipeline stalled. The app shows which.',
    query: `${BUCKET}
  |> range(start: -5m)
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "seq")
  |> group()
  |> last()
  |> map(fn: (r) => ({_value: float(v: uint(v: now()) - uint(v: r._time)) / 1000000000.0}))`,
    above: 10,
    for: '0s',
  },
  {
    uid: 'walkstream-telegraf-backlog',
    title: 'Telegraf holds more than 30 s of data',
    summary:
      "Telegraf's buffer holds more points than InfluxDB took in the last 30 s: InfluxDB is slow or refusing writes, and the backlog grows in Kafka.",
    query: `written = ${kafkaOutputIncrease('metrics_written', '-30s', ', k: 1')}
buffered = ${kafkaOutputField('-30s', 'buffer_size')}
  |> last()
  |> map(fn: (r) => ({_value: float(v: r._value), k: 1}))
join(tables: {b: buffered, w: written}, on: ["k"])
  |> map(fn: (r) => ({_value: r._value_b - r._value_w}))`,
    above: 0,
    for: '30s',
  },
  {
    uid: 'walkstream-telegraf-dropping',
    title: 'Telegraf dropped points',
    summary:
      "Telegraf's output buffer dropped points in the last minute: those points are lost. The buffer is sized so this cannot happen; check stack/telegraf/telegraf.conf.",
    query: kafkaOutputIncrease('metrics_dropped'),
    above: 0,
    for: '0s',
  },
  {
    uid: 'walkstream-telegraf-write-errors',
    title: 'Telegraf cannot write to InfluxDB',
    summary:
      "Telegraf's writes to InfluxDB failed in the last minute (it retries, nothing is lost yet). Check InfluxDB's health and the token in the stack's .env.",
    query: kafkaOutputIncrease('errors'),
    above: 0,
    for: '0s',
  },
  {
    uid: 'walkstream-brokers-accepting',
    title: `Fewer than ${KAFKA_BROKERS} Kafka brokers accept connections`,
    summary:
      "A Kafka broker did not accept Telegraf's last TCP connection (container stopped or crashed): the cluster runs without its spare, and one more loss stops writes. Start the broker (Chaos panel: undo, or docker compose start). A frozen broker still accepts connections and is not caught here.",
    // Each broker's latest probe (telegraf.conf, inputs.net_response): result_code 0 = accepted.
    // The probe's result is a tag, so one broker's probes span two series until grouped by broker.
    query: `${BUCKET}
  |> range(start: -10s)
  |> filter(fn: (r) => r._measurement == "kafka_broker_connect" and r._field == "result_code")
  |> group(columns: ["server"])
  |> sort(columns: ["_time"])
  |> last()
  |> map(fn: (r) => ({r with _value: if int(v: r._value) == 0 then 1.0 else 0.0}))
  |> group()
  |> sum()`,
    below: KAFKA_BROKERS,
    // A broker restarting refuses connections for a few seconds: not worth a page.
    for: '10s',
  },
];

/** The provisioning file Grafana reads from /etc/grafana/provisioning/alerting/. */
export function alertProvisioning(): string {
  const doc = {
    apiVersion: 1,
    groups: [
      {
        orgId: 1,
        name: 'walkstream-pipeline',
        folder: 'Walkstream',
        interval: '10s',
        rules: ALERT_RULES.map((r) => ({
          uid: r.uid,
          title: r.title,
          condition: 'B',
          data: [
            {
              refId: 'A',
              relativeTimeRange: { from: 300, to: 0 },
              datasourceUid: INFLUX_DATASOURCE.uid,
              model: { refId: 'A', query: r.query },
            },
            {
              refId: 'B',
              datasourceUid: '__expr__',
              model: {
                refId: 'B',
                type: 'threshold',
                expression: 'A',
                conditions: [{ evaluator: thresholdOf(r) }],
              },
            },
          ],
          // No data is not an alert: a stopped pipeline says so in the app, not as a page.
          noDataState: 'OK',
          execErrState: 'Error',
          for: r.for,
          annotations: { summary: r.summary },
          labels: { source: 'walkstream' },
        })),
      },
    ],
  };
  return `# Generated from stack/grafana/dashboards-src/alert-rules.ts by npm run dashboards: edit that.\n${stringify(doc, { lineWidth: 0 })}`;
}
