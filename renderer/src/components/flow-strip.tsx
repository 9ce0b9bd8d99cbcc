import type { ReactNode } from 'react';
import {
  type FaultKind,
  FLOW_HOPS,
  type FlowHop,
  type FlowHopName,
  type FlowHopState,
  type FlowStatus,
} from '../../../core/contract/data';
import { age, fmt } from '../format';

const HOP_LABELS: Record<FlowHopName, string> = {
  producer: 'Producer',
  kafka: 'Kafka',
  telegraf: 'Telegraf',
  influxdb: 'InfluxDB',
  chart: 'Chart',
};

const STATE_LABELS: Record<FlowHopState, string> = {
  flowing: 'flowing',
  idle: 'idle',
  waiting: 'waiting',
  degraded: 'degraded',
  stalled: 'stalled',
  down: 'down',
};

const FAULT_LABELS: Record<FaultKind, string> = {
  'kill-broker': 'broker killed',
  'stop-broker': 'broker stopped',
  'freeze-broker': 'broker frozen',
  'freeze-controller': 'controller frozen',
  'pause-telegraf': 'paused',
  'stop-influxdb': 'stopped',
};

const count = (n: number | null) => (n === null ? '—' : Math.round(n).toLocaleString('en-US'));
/** A large count in few characters (a hop is narrow): 5,460,000 → 5.46 M. */
const short = (n: number | null) =>
  n === null
    ? '—'
    : n >= 1e6
      ? `${Number((n / 1e6).toPrecision(3))} M`
      : n >= 1e4
        ? `${Math.round(n / 1e3)} k`
        : count(n);
const seconds = (s: number | null) => (s === null ? '—' : `${s < 10 ? s.toFixed(1) : Math.round(s)} s`);
const ms = (x: number | null) =>
  x === null ? '—' : x < 10_000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x / 1000)} s`;

function Figure({
  label,
  children,
  testId,
  title,
}: {
  label: string;
  children: ReactNode;
  testId?: string;
  /** The whole text, for a value the hop's width cuts short. */
  title?: string;
}) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId} title={title}>
        {children}
      </dd>
    </>
  );
}

/** What only this hop has to say, below its rate and total. */
function HopDetails({ flow, hop }: { flow: FlowStatus; hop: FlowHopName }) {
  const h = flow.hops;
  switch (hop) {
    case 'producer':
      return (
        <>
          <Figure label="acked">{count(h.producer.acknowledged)}</Figure>
          <Figure label="queued">{count(h.producer.queued)}</Figure>
          <Figure label="skipped">{count(h.producer.ticksSkipped)} ticks</Figure>
          {h.producer.lagMs > 1_000 ? <Figure label="behind">{ms(h.producer.lagMs)}</Figure> : null}
        </>
      );
    case 'kafka':
      return (
        <>
          <Figure label="messages">
            {count(h.kafka.messages)}
            {h.kafka.messagesPerSecond !== null ? ` (${fmt.format(h.kafka.messagesPerSecond)}/s)` : ''}
          </Figure>
          <Figure label="brokers">
            {h.kafka.brokersUp} up
            {h.kafka.brokersDown.length > 0
              ? `, broker${h.kafka.brokersDown.length > 1 ? 's' : ''} ${h.kafka.brokersDown.join(', ')} down`
              : ''}
          </Figure>
          <Figure label="lag">{count(h.kafka.lagMessages)} msgs</Figure>
          {h.kafka.leaderless.length > 0 ? (
            <Figure label="no leader">partition {h.kafka.leaderless.join(', ')}</Figure>
          ) : null}
        </>
      );
    case 'telegraf':
      return (
        <>
          <Figure label="written">{count(h.telegraf.written)}</Figure>
          <Figure
            label="buffer"
            title={
              h.telegraf.bufferLimit
                ? `${count(h.telegraf.buffered)} of ${count(h.telegraf.bufferLimit)} points`
                : undefined
            }
          >
            {short(h.telegraf.buffered)}
            {h.telegraf.bufferLimit ? ` of ${short(h.telegraf.bufferLimit)}` : ''}
          </Figure>
          <Figure label="dropped">{count(h.telegraf.dropped)}</Figure>
          <Figure label="write errors">{count(h.telegraf.recentWriteErrors)} in 10 s</Figure>
        </>
      );
    case 'influxdb':
      return (
        <>
          <Figure label="newest">{age(h.influxdb.newestAgeMs)}</Figure>
          {h.influxdb.queryError ? (
            <Figure label="query" title={h.influxdb.queryError.message}>
              {h.influxdb.queryError.status
                ? `HTTP ${h.influxdb.queryError.status}`
                : h.influxdb.queryError.message}
            </Figure>
          ) : null}
        </>
      );
    case 'chart':
      return <Figure label="newest">{age(h.chart.newestAgeMs)}</Figure>;
  }
}

function Hop({ flow, hop }: { flow: FlowStatus; hop: FlowHop }) {
  const stuck = hop.state === 'down' || hop.state === 'stalled';
  return (
    <li
      className={`flow-hop flow-${hop.state}`}
      data-testid={`flow-hop-${hop.hop}`}
      data-state={hop.state}
      data-fault={hop.fault ?? ''}
      aria-label={`${HOP_LABELS[hop.hop]}: ${STATE_LABELS[hop.state]}`}
    >
      <h3>{HOP_LABELS[hop.hop]}</h3>
      <p className="flow-state" data-testid={`flow-state-${hop.hop}`}>
        {stuck ? '⚠ ' : ''}
        {STATE_LABELS[hop.state]}
        {hop.fault ? ` · fault: ${FAULT_LABELS[hop.fault]}` : ''}
      </p>
      <dl>
        {hop.hop !== 'chart' ? (
          <>
            <Figure label="in" testId={`flow-rate-${hop.hop}`}>
              {hop.inPerSecond === null ? '—' : `${fmt.format(hop.inPerSecond)} pts/s`}
            </Figure>
            <Figure label="total" testId={`flow-total-${hop.hop}`}>
              {count(hop.inTotal)}
            </Figure>
          </>
        ) : null}
        <HopDetails flow={flow} hop={hop.hop} />
      </dl>
    </li>
  );
}

/** The backlog between a hop and the next: points, and seconds of data. */
function Link({ hop }: { hop: FlowHop }) {
  const big = (hop.backlogSeconds ?? 0) > 3;
  return (
    <li
      className={`flow-link${big ? ' flow-link-backlog' : ''}`}
      data-testid={`flow-backlog-${hop.hop}`}
      data-points={hop.backlog ?? ''}
      data-seconds={hop.backlogSeconds ?? ''}
      aria-label={`waiting after ${HOP_LABELS[hop.hop]}`}
    >
      <span className="flow-arrow" aria-hidden="true">
        →
      </span>
      <span>{hop.backlog === null ? '' : `${count(hop.backlog)} pts`}</span>
      <span>{seconds(hop.backlogSeconds)}</span>
    </li>
  );
}

/**
 * Where the data is: producer → Kafka → Telegraf → InfluxDB → chart, each hop's rate and total for
 * this run, what waits between hops, the end-to-end latency, and — when a hop is stuck — a line
 * that names it, says what the app saw and what to do.
 */
export function FlowStrip({ flow }: { flow: FlowStatus | null }) {
  if (!flow) return null;
  const { latency } = flow;
  return (
    <section className="flow-strip" aria-label="Where the data is" data-testid="flow-strip">
      <ol className="flow-hops">
        {FLOW_HOPS.map((name, i) => {
          const hop = flow.hops[name];
          return [
            <Hop key={name} flow={flow} hop={hop} />,
            i < FLOW_HOPS.length - 1 ? <Link key={`${name}-link`} hop={hop} /> : null,
          ];
        })}
      </ol>
      <p
        className="flow-latency"
        data-testid="flow-latency"
        data-p50={latency.p50Ms ?? ''}
        data-p99={latency.p99Ms ?? ''}
        data-samples={latency.samples}
        title={`From each point's timestamp (the time its tick was scheduled for) to the first time InfluxDB returned it; InfluxDB is asked every ${latency.probeMs} ms, so figures are high by up to that much.`}
      >
        End-to-end latency, last {latency.windowSeconds} s:{' '}
        {latency.samples > 0
          ? `p50 ${ms(latency.p50Ms)} · p99 ${ms(latency.p99Ms)} (${count(latency.samples)} sampled points)`
          : 'no new points seen'}
      </p>
      {flow.diagnoses.length > 0 ? (
        <ul className="flow-diagnoses" aria-label="Diagnosis">
          {flow.diagnoses.map((d) => (
            <li
              key={d.id}
              data-rule={d.id}
              className={`flow-diagnosis ${d.severity}`}
              data-testid="flow-diagnosis"
              data-hop={d.hop}
              data-severity={d.severity}
              role={d.severity === 'bad' ? 'alert' : undefined}
            >
              <strong>{d.problem}</strong>: {d.cause} → <em>{d.action}</em>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
