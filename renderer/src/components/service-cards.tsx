import { useState } from 'react';
import type { Links, ServiceInfo, StackStatus, TelegrafStats } from '../../../core/contract/data';
import { api } from '../api-client';
import { uptime } from '../format';
import { type TelegrafNote, telegrafNote } from '../telegraf-note';
import { useAction } from '../use-action';
import { ActionError } from './action-error';

const PURPOSE: Record<string, string> = {
  'kafka-1': 'Kafka broker 1',
  'kafka-2': 'Kafka broker 2',
  'kafka-3': 'Kafka broker 3',
  'kafka-controller-1': 'KRaft controller 1',
  'kafka-controller-2': 'KRaft controller 2',
  'kafka-controller-3': 'KRaft controller 3',
  'kafka-ui': 'Kafka UI',
  telegraf: 'Telegraf (Kafka → InfluxDB)',
  influxdb: 'InfluxDB 2',
  grafana: 'Grafana',
};

function linkFor(service: string, links: Links | null): { href: string; label: string }[] {
  if (!links) return [];
  if (service === 'grafana')
    return [
      { href: links.grafanaRandomWalks, label: 'Random walks' },
      { href: links.grafanaPipelineHealth, label: 'Pipeline health' },
    ];
  if (service === 'kafka-ui') return [{ href: links.kafkaUi, label: 'Open Kafka UI' }];
  if (service === 'influxdb') return [{ href: links.influxdb, label: 'Open InfluxDB' }];
  return [];
}

function ServiceCard({
  info,
  links,
  note,
}: {
  info: ServiceInfo;
  links: Links | null;
  note: TelegrafNote | null;
}) {
  const [logs, setLogs] = useState<string[] | null>(null);
  // One action per card: its buttons wait for each other, and the last failure shows under them.
  const { busy, error, run } = useAction();
  const available = info.state !== 'not-available';
  const status = !available
    ? 'not available'
    : info.health !== 'none'
      ? `${info.state}, ${info.health}`
      : info.state;
  return (
    <article
      className={`card svc svc-${available ? info.health : 'na'}`}
      data-testid={`service-${info.service}`}
      data-health={info.health}
      data-state={info.state}
    >
      <h3>{PURPOSE[info.service] ?? info.service}</h3>
      <p className="status">{status}</p>
      {note ? (
        <p
          className={`note ${note.tone}`}
          data-testid={`note-${info.service}`}
          role={note.tone === 'bad' ? 'alert' : undefined}
        >
          {note.text}
        </p>
      ) : null}
      {available ? (
        <dl>
          <dt>Uptime</dt>
          <dd>{uptime(info.startedAt)}</dd>
          <dt>Restarts</dt>
          <dd>{info.restartCount}</dd>
          {info.ports.length > 0 ? (
            <>
              <dt>Ports</dt>
              <dd>{info.ports.map((p) => `${p.host}:${p.hostPort}`).join(', ')}</dd>
            </>
          ) : null}
        </dl>
      ) : (
        <p className="hint">Not part of the running stack.</p>
      )}
      <div className="row">
        {linkFor(info.service, links).map((l) => (
          <a key={l.href} href={l.href} target="_blank" rel="noreferrer">
            {l.label}
          </a>
        ))}
      </div>
      {available ? (
        <div className="row">
          <button
            type="button"
            disabled={busy}
            aria-label={`Restart ${info.service}`}
            onClick={() => run(() => api.call('stack:restartService', { service: info.service }))}
          >
            Restart
          </button>
          <button
            type="button"
            disabled={busy}
            aria-label={`${logs ? 'Hide' : 'Show'} logs of ${info.service}`}
            onClick={() =>
              logs
                ? setLogs(null)
                : run(async () =>
                    setLogs((await api.call('stack:logs', { service: info.service, lines: 40 })).lines),
                  )
            }
          >
            {logs ? 'Hide logs' : 'Logs'}
          </button>
        </div>
      ) : null}
      <ActionError error={error} testId={`service-error-${info.service}`} />
      {logs ? <pre className="logs">{logs.join('\n')}</pre> : null}
    </article>
  );
}

export function ServiceCards({
  stack,
  links,
  telegraf,
}: {
  stack: StackStatus | null;
  links: Links | null;
  telegraf: TelegrafStats | null;
}) {
  if (!stack) return <p className="hint">Asking Docker…</p>;
  const influxdb = stack.services.find((s) => s.service === 'influxdb');
  return (
    <section aria-label="Services" className="cards">
      {stack.services.map((s) => (
        <ServiceCard
          key={s.service}
          info={s}
          links={links}
          note={s.service === 'telegraf' ? telegrafNote(telegraf, influxdb) : null}
        />
      ))}
    </section>
  );
}
