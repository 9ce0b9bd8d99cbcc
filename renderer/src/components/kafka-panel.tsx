import { Line, LineChart, ResponsiveContainer, Tooltip, YAxis } from 'recharts';
import type { KafkaStats } from '../../../core/contract/data';
import { fmt } from '../format';
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

/** Brokers, the topic's partitions with leader/ISR, and produce rate and consumer lag over time. */
export function KafkaPanel({ stats }: { stats: KafkaStats | null }) {
  const rate = useHistory(stats?.messagesPerSecond, stats?.at);
  const lag = useHistory(stats?.totalLag, stats?.at);
  if (!stats) return null;
  return (
    <section className="panel" aria-label="Kafka">
      <h2>Kafka</h2>
      {!stats.reachable ? (
        <p className="hint" role="status">
          Kafka is not reachable{stats.error ? `: ${stats.error.message}` : ''}. Start the pipeline, or wait
          for the brokers.
        </p>
      ) : null}
      <ul className="brokers" data-testid="brokers" data-up={stats.brokers.filter((b) => b.up).length}>
        {stats.brokers.map((b) => (
          <li key={b.nodeId} className={b.up ? 'up' : 'down'}>
            broker {b.nodeId} {b.up ? 'up' : 'down'}
            {b.isController ? ' (controller)' : ''}
          </li>
        ))}
      </ul>
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
