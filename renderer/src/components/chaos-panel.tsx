import { useState } from 'react';
import type {
  ChaosEffect,
  ChaosStatus,
  FaultKind,
  FaultRecovery,
  StackStatus,
} from '../../../core/contract/data';
import { BROKER_SERVICES, CONTROLLER_SERVICES, FAULT_TARGETS } from '../../../core/contract/data';
import { api } from '../api-client';
import { age, fmt } from '../format';
import { useAction } from '../use-action';
import { useTopic } from '../use-api';
import { ActionError } from './action-error';

type Broker = (typeof BROKER_SERVICES)[number];
type Controller = (typeof CONTROLLER_SERVICES)[number];

const LABELS: Record<FaultKind, string> = {
  'kill-broker': 'Kill broker',
  'stop-broker': 'Stop broker',
  'freeze-broker': 'Freeze broker',
  'freeze-controller': 'Freeze controller',
  'pause-telegraf': 'Pause Telegraf',
  'stop-influxdb': 'Stop InfluxDB',
};

const HINTS: Record<FaultKind, string> = {
  'kill-broker': 'SIGKILL, like a crash: the controller notices after a few seconds.',
  'stop-broker': 'A graceful shutdown: leadership moves away at once.',
  'freeze-broker':
    'docker pause: alive, holding its connections, answering nothing (a long GC pause, a hung VM).',
  'freeze-controller':
    'docker pause on a KRaft controller: the other two elect a new active one, the brokers keep their partitions and the data keeps flowing.',
  'pause-telegraf': 'Freezes the consumer: messages pile up in Kafka.',
  'stop-influxdb': 'Telegraf cannot write: it buffers, the chart stops.',
};

/** "Kill broker kafka-2", "Pause Telegraf": the broker faults need their target named. */
const faultName = (kind: FaultKind, service: string) =>
  FAULT_TARGETS[kind].length > 1 ? `${LABELS[kind]} ${service}` : LABELS[kind];

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

/** Live readout of what a fault does: brokers, ISR, leaders, lag, freshness. */
function Effect({ effect }: { effect: ChaosEffect }) {
  const lagging = (effect.lagSeconds ?? 0) > 3;
  const stale = (effect.freshnessMs ?? 0) > 5_000;
  return (
    <dl className="chaos-effect" data-testid="chaos-effect">
      <dt>Brokers</dt>
      <dd
        data-testid="chaos-brokers"
        data-down={effect.brokersDown.join(',')}
        className={effect.brokersDown.length > 0 ? 'bad' : ''}
      >
        {effect.kafkaReachable
          ? `up ${effect.brokersUp.join(', ') || '—'}${effect.brokersDown.length > 0 ? ` · down ${effect.brokersDown.join(', ')}` : ''}`
          : 'Kafka not reachable'}
      </dd>
      <dt>Under-replicated</dt>
      <dd
        data-testid="chaos-under-replicated"
        data-value={effect.underReplicated}
        className={effect.underReplicated > 0 ? 'warn' : ''}
      >
        {effect.underReplicated} of {effect.isrSizes.length} partitions
      </dd>
      <dt>ISR sizes</dt>
      <dd data-testid="chaos-isr">{effect.isrSizes.join(' ') || '—'}</dd>
      <dt>Leaders</dt>
      <dd>
        {effect.leaders.map((l) => (
          <span
            key={l.broker}
            className="leader"
            data-testid={`chaos-leaders-${l.broker}`}
            data-value={l.partitions}
          >
            broker {l.broker}: {l.partitions}
          </span>
        ))}
      </dd>
      <dt>Consumer lag</dt>
      <dd
        data-testid="chaos-lag"
        data-value={effect.totalLag ?? ''}
        data-seconds={effect.lagSeconds ?? ''}
        className={lagging ? 'warn' : ''}
      >
        {effect.totalLag === null ? '—' : `${fmt.format(effect.totalLag)} messages`}
        {effect.lagSeconds !== null && effect.totalLag ? ` (~${effect.lagSeconds.toFixed(1)} s)` : ''}
      </dd>
      <dt>Newest data</dt>
      <dd data-testid="chaos-freshness" data-value={effect.freshnessMs ?? ''} className={stale ? 'warn' : ''}>
        {age(effect.freshnessMs)}
      </dd>
    </dl>
  );
}

function RecoveryLine({ r, at }: { r: FaultRecovery; at: number }) {
  const what = `${faultName(r.kind, r.service)} ${r.endedBy === 'undo' ? 'undone' : 'ended (container back)'}`;
  return (
    <li
      data-testid="chaos-recovery"
      data-service={r.service}
      data-kind={r.kind}
      data-state={r.state}
      data-recovered-ms={r.recoveredInMs ?? ''}
      className={r.state === 'recovered' ? 'ok' : r.state === 'gave-up' ? 'bad' : 'warn'}
    >
      {what}:{' '}
      {r.state === 'recovered'
        ? `recovered in ${seconds(r.recoveredInMs ?? 0)}`
        : r.state === 'recovering'
          ? `recovering… ${seconds(at - r.endedAt)} so far`
          : 'did not recover within 5 min; check its service card and logs'}
    </li>
  );
}

/** Which of a group of containers a fault hits (a broker, a controller). */
function TargetSelect<T extends string>(props: {
  label: string;
  id: string;
  options: readonly T[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      <select
        id={props.id}
        data-testid={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as T)}
      >
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </>
  );
}

/**
 * Fault injection with undo: kill, stop or freeze one broker, freeze one KRaft controller, pause Telegraf, stop InfluxDB; each active
 * fault with its age and an Undo, the effect live, and how long recovery took.
 */
export function ChaosPanel({ stack }: { stack: StackStatus | null }) {
  const chaos: ChaosStatus | null = useTopic('chaos:status', () => api.call('chaos:status'));
  const [broker, setBroker] = useState<Broker>('kafka-1');
  const [controller, setController] = useState<Controller>('kafka-controller-1');
  const { busy, error, run: act } = useAction();
  const running = stack?.state === 'running' || stack?.state === 'degraded';
  const faults = chaos?.faults ?? [];
  // One broker and one controller at a time (a second would take that group's majority).
  const brokerFaulted = faults.some((f) => FAULT_TARGETS[f.kind] === BROKER_SERVICES);
  const controllerFaulted = faults.some((f) => FAULT_TARGETS[f.kind] === CONTROLLER_SERVICES);
  const faulted = (service: string) => faults.some((f) => f.service === service);

  const inject = (fault: FaultKind, service?: Broker | Controller) =>
    act(() => api.call('chaos:inject', service ? { fault, service } : { fault }));

  const unavailable = chaos?.unavailable ?? {};
  const button = (fault: FaultKind, disabled: boolean, service?: Broker | Controller) => (
    <button
      type="button"
      data-testid={`chaos-${fault}`}
      title={unavailable[fault] ?? HINTS[fault]}
      disabled={busy || !running || disabled || Boolean(unavailable[fault])}
      onClick={() => inject(fault, service)}
    >
      {LABELS[fault]}
      {service ? ` ${service}` : ''}
    </button>
  );

  return (
    <section className="panel chaos" aria-label="Chaos" data-testid="chaos-panel">
      <h2>Chaos</h2>
      <p className="hint">
        {running
          ? 'Break one part of the pipeline on purpose, watch the effect, then undo it.'
          : 'Start the pipeline to inject faults.'}
      </p>
      <div className="row">
        <TargetSelect
          label="Broker"
          id="chaos-broker"
          options={BROKER_SERVICES}
          value={broker}
          onChange={setBroker}
        />
        {button('kill-broker', brokerFaulted, broker)}
        {button('stop-broker', brokerFaulted, broker)}
        {button('freeze-broker', brokerFaulted, broker)}
      </div>
      {unavailable['kill-broker'] ? (
        <p className="hint" data-testid="chaos-unavailable">
          {unavailable['kill-broker']}
        </p>
      ) : null}
      <div className="row">
        <TargetSelect
          label="Controller"
          id="chaos-controller"
          options={CONTROLLER_SERVICES}
          value={controller}
          onChange={setController}
        />
        {button('freeze-controller', controllerFaulted, controller)}
      </div>
      <div className="row">
        {button('pause-telegraf', faulted('telegraf'))}
        {button('stop-influxdb', faulted('influxdb'))}
      </div>
      <ActionError error={error} testId="chaos-error" />
      {faults.length > 0 ? (
        <ul className="chaos-list" aria-label="Active faults" data-testid="chaos-faults">
          {faults.map((f) => (
            <li key={f.id} data-testid="chaos-fault" data-service={f.service} data-kind={f.kind}>
              <span className="bad">{faultName(f.kind, f.service)}</span> for{' '}
              {seconds((chaos?.at ?? f.since) - f.since)}{' '}
              <button
                type="button"
                className="primary"
                data-testid={`chaos-undo-${f.service}`}
                aria-label={`Undo ${faultName(f.kind, f.service)}`}
                disabled={busy}
                onClick={() => act(() => api.call('chaos:undo', { id: f.id }))}
              >
                Undo
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {chaos ? <Effect effect={chaos.effect} /> : null}
      {chaos && chaos.recoveries.length > 0 ? (
        <ul className="chaos-list" aria-label="Recoveries" aria-live="polite">
          {chaos.recoveries.map((r) => (
            <RecoveryLine key={r.id} r={r} at={chaos.at} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
