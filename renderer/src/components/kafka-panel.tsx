import { useEffect, useRef, useState } from 'react';
import { Line, LineChart, ResponsiveContainer, Tooltip, YAxis } from 'recharts';
import type { BrokerStats, KafkaStats, ProducerStatus } from '../../../core/contract/data';
import { queuedByBroker } from '../../../core/contract/queued-by-broker';
import { duration, fmt } from '../format';
import { useHistory } from '../use-api';

function Spark({ data, label }: { data: { t: number; v: number }[]; label: string }) {
  return (
    <figure className="spark" aria-label={label}>
      <figcaption>{label}</figcaption>
      <ResponsiveContainer width="100%" height={60}>
        <LineChart data={data}>
          <YAxis hide domain={[0, 'auto']} />
          <Tooltip formatter={(v) => fmt.format(Number(v))} labelFormatter={() => ''} />
          <Line type="monotone" dataKey="v" dot={false} isAnimationActive={false} strokeWidth={1.5} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** A broker in words: what the metadata says, corrected by the app's own probe of it. */
function brokerWords(b: BrokerStats, now: number): string {
  const p = b.probe;
  const since = p ? ` for ${duration(now - p.since)}` : '';
  switch (p?.state) {
    case undefined:
      return b.up ? 'up' : 'down';
    case 'answering':
      return b.up
        ? `answering (${Math.round(p.rttMs ?? 0)} ms)`
        : 'down (answers, but the cluster does not list it yet)';
    case 'not-responding':
      return `not responding${since} (${p.detail})`;
    case 'refused':
      return `down${since} (${p.detail})`;
    case 'unreachable':
      return `unreachable${since} (${p.detail})`;
  }
}

/** The current time, ticking every second while `active`: for "not responding for 12 s". */
function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

type Leaders = { partitions: KafkaStats['partitions']; at: number };

/**
 * The partition leaders of the last stats that had them. A frozen leader can time the stats out
 * for a few polls — just when what waits on it matters — and leadership does not move until the
 * cluster fences that broker, so the last ones seen are what the queue is mapped with meanwhile.
 */
function useLastLeaders(stats: KafkaStats | null): Leaders | null {
  const last = useRef<Leaders | null>(null);
  if (stats && stats.partitions.length > 0) last.current = { partitions: stats.partitions, at: stats.at };
  return last.current;
}

/** "queued: kafka-1 0 · kafka-2 4,500 · kafka-3 0": what waits in the producer, by partition leader. */
function QueuedByBroker({
  stats,
  leaders,
  producer,
}: {
  stats: KafkaStats;
  leaders: Leaders | null;
  producer: ProducerStatus | null;
}) {
  const m = producer?.metrics;
  if (!m || (producer?.state !== 'running' && m.queuedPoints === 0)) return null;
  const q = queuedByBroker(
    m.queuedByPartition,
    leaders?.partitions ?? [],
    stats.brokers.map((b) => b.nodeId),
  );
  const parts = q.brokers.map((b) => `kafka-${b.nodeId} ${fmt.format(b.points)}`);
  if (q.leaderless > 0) parts.push(`no leader ${fmt.format(q.leaderless)}`);
  if (q.unknownLeader > 0) parts.push(`leader not known ${fmt.format(q.unknownLeader)}`);
  const stale = leaders !== null && leaders.at < stats.at;
  return (
    <p data-testid="queued-by-broker" data-queued={m.queuedPoints}>
      Producer queued: {parts.join(' · ')}
      {stale ? ` (leaders as of ${duration(stats.at - leaders.at)} ago)` : ''}
    </p>
  );
}

/**
 * Brokers (each probed by the app: a frozen one shows as not responding), what the producer has
 * queued on each, the topic's partitions with leader/ISR, and produce rate and consumer lag over time.
 */
export function KafkaPanel({
  stats,
  producer = null,
}: {
  stats: KafkaStats | null;
  producer?: ProducerStatus | null;
}) {
  const rate = useHistory(stats?.messagesPerSecond, stats?.at);
  const lag = useHistory(stats?.totalLag, stats?.at);
  const leaders = useLastLeaders(stats);
  const now = useNow(stats?.brokers.some((b) => b.probe && b.probe.state !== 'answering') ?? false);
  if (!stats) return null;
  const answering = stats.brokers.filter((b) => b.probe?.state === 'answering').length;
  return (
    <section className="panel" aria-label="Kafka">
      <h2>Kafka</h2>
      {!stats.reachable ? (
        <p className="hint" role="status">
          {answering > 0
            ? `The cluster's statistics did not come back${stats.error ? ` (${stats.error.message})` : ''}; ${answering} of ${stats.brokers.length} brokers answer the app's probe.`
            : `Kafka is not reachable${stats.error ? `: ${stats.error.message}` : ''}. Start the pipeline, or wait for the brokers.`}
        </p>
      ) : null}
      <ul className="brokers" data-testid="brokers" data-up={stats.brokers.filter((b) => b.up).length}>
        {stats.brokers.map((b) => (
          <li
            key={b.nodeId}
            className={b.up ? 'up' : 'down'}
            data-testid={`broker-${b.nodeId}`}
            data-state={b.probe?.state ?? (b.up ? 'up' : 'down')}
          >
            kafka-{b.nodeId} {brokerWords(b, now)}
          </li>
        ))}
      </ul>
      <QueuedByBroker stats={stats} leaders={leaders} producer={producer} />
      <p>
        Topic <code>{stats.topic}</code>:{' '}
        <span data-testid="produce-rate" data-value={stats.messagesPerSecond}>
          {fmt.format(stats.messagesPerSecond)}
        </span>{' '}
        messages/s, under-replicated partitions {stats.underReplicated}, lag{' '}
        {stats.totalLag === null ? '—' : `${fmt.format(stats.totalLag)} messages`}
        {stats.lagSeconds !== null && stats.totalLag ? ` (~${stats.lagSeconds.toFixed(1)} s)` : ''}
      </p>
      <div className="sparks">
        <Spark data={rate} label="Produce rate (messages/s)" />
        <Spark data={lag} label="Consumer lag (messages)" />
      </div>
      {stats.partitions.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>Partition</th>
              <th>Leader</th>
              <th>Replicas</th>
              <th>ISR</th>
              <th>msg/s</th>
              <th>Lag</th>
            </tr>
          </thead>
          <tbody>
            {stats.partitions.map((p) => (
              <tr key={p.partition} className={p.underReplicated ? 'warn' : ''}>
                <td>{p.partition}</td>
                <td>{p.leader}</td>
                <td>{p.replicas.join(',')}</td>
                <td>{p.isr.join(',')}</td>
                <td>{fmt.format(p.messagesPerSecond)}</td>
                <td>{p.lag ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
