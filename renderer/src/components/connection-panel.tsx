import { useEffect, useState } from 'react';
import {
  type ConnectionCheck,
  type ConnectionUpdate,
  type ConnectionView,
  type InfluxConnection,
  type KafkaConnection,
  SASL_MECHANISMS,
  type SaslMechanism,
} from '../../../core/contract/connection';
import { api } from '../api-client';
import { useAction } from '../use-action';
import { ActionError } from './action-error';

const MECHANISM_LABELS: Record<SaslMechanism, string> = {
  none: 'None',
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
};

/** The form's fields: the settings as the contract has them, the broker list as typed text. */
type Draft = Omit<KafkaConnection, 'bootstrapServers'> &
  InfluxConnection & {
    bootstrapServers: string;
    /** Typed secrets only: empty means "keep what is stored" (the core never sends them back). */
    password: string;
    token: string;
  };

function draftOf(v: ConnectionView): Draft {
  const { kafka, influx } = v.settings;
  return {
    ...kafka,
    bootstrapServers: kafka.bootstrapServers.join(', '),
    ...influx,
    password: '',
    token: '',
  };
}

function updateOf(d: Draft): ConnectionUpdate {
  return {
    kafka: {
      bootstrapServers: d.bootstrapServers.split(/[\s,]+/).filter(Boolean),
      sasl: d.sasl,
      username: d.username,
      tls: d.tls,
      caFile: d.caFile,
      certFile: d.certFile,
      keyFile: d.keyFile,
      ...(d.password ? { password: d.password } : {}),
    },
    influx: { url: d.url, org: d.org, bucket: d.bucket, ...(d.token ? { token: d.token } : {}) },
  };
}

/**
 * Local stack or the user's own Kafka and InfluxDB ("connect" mode): the settings, whether each
 * secret is stored (never the secret) and where, and a connection test whose error points at the
 * field to fix.
 */
export function ConnectionPanel() {
  const [view, setView] = useState<ConnectionView | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [checked, setChecked] = useState<ConnectionCheck | null>(null);
  const saving = useAction();
  const testing = useAction();

  useEffect(() => {
    api.call('connection:get').then(
      (v) => {
        setView(v);
        setDraft(draftOf(v));
      },
      () => {},
    );
  }, []);

  if (!view || !draft) return null;
  const connect = view.settings.mode === 'connect';
  const busy = saving.busy || testing.busy;
  // The field the last error names, from the core's details.setting (e.g. "kafka.caFile").
  const badSetting = (testing.error ?? saving.error)?.details?.setting;
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const save = (patch: ConnectionUpdate) =>
    saving.run(async () => {
      const v = await api.call('connection:update', patch);
      setView(v);
      setDraft(draftOf(v));
      setChecked(null);
    });

  const field = (
    label: string,
    setting: string,
    key: keyof Draft,
    extra: { type?: string; placeholder?: string } = {},
  ) => (
    <label>
      {label}
      <input
        type={extra.type ?? 'text'}
        value={draft[key] as string}
        placeholder={extra.placeholder}
        aria-invalid={badSetting === setting ? 'true' : undefined}
        autoComplete="off"
        onChange={(e) => set({ [key]: e.target.value })}
      />
    </label>
  );
  const secretHint = (state: 'set' | 'not set') => (state === 'set' ? 'stored — type to replace' : 'not set');

  return (
    <section className="card connection" aria-label="Cluster" data-testid="connection-panel">
      <h2>Cluster</h2>
      <fieldset data-testid="connection-mode">
        <legend>Where the pipeline runs</legend>
        <label>
          <input
            type="radio"
            name="mode"
            checked={!connect}
            disabled={busy}
            onChange={() => void save({ mode: 'local' })}
          />{' '}
          Local stack (Docker)
        </label>
        <label>
          <input
            type="radio"
            name="mode"
            checked={connect}
            disabled={busy}
            onChange={() => void save({ mode: 'connect' })}
          />{' '}
          Your own cluster
        </label>
      </fieldset>
      {connect ? (
        <p className="hint">
          {view.settings.bridge
            ? "Starts one container, the stack's Telegraf, as the bridge from your Kafka into your InfluxDB"
            : 'Starts no containers'}
          : the producer, the Kafka panel and the chart use the cluster below, and the Chaos panel is off.
          Start tests the connection first. Changes apply at the next Start.
        </p>
      ) : null}
      {connect ? (
        <label data-testid="connection-bridge">
          <input
            type="checkbox"
            checked={view.settings.bridge}
            disabled={busy}
            onChange={(e) => void save({ bridge: e.target.checked })}
          />{' '}
          Run a local Telegraf from your Kafka into your InfluxDB (needs Docker; leave off if your own
          Telegraf or connector already does it)
        </label>
      ) : null}
      {connect ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save(updateOf(draft));
          }}
        >
          <fieldset>
            <legend>Kafka</legend>
            {field('Bootstrap servers', 'kafka.bootstrapServers', 'bootstrapServers', {
              placeholder: 'broker-1.example.com:9093, …',
            })}
            <label>
              SASL mechanism
              <select value={draft.sasl} onChange={(e) => set({ sasl: e.target.value as SaslMechanism })}>
                {SASL_MECHANISMS.map((m) => (
                  <option key={m} value={m}>
                    {MECHANISM_LABELS[m]}
                  </option>
                ))}
              </select>
            </label>
            {draft.sasl !== 'none' ? (
              <>
                {field('Username', 'kafka.username', 'username')}
                {field('Password', 'kafka.password', 'password', {
                  type: 'password',
                  placeholder: secretHint(view.secrets.kafkaPassword),
                })}
              </>
            ) : null}
            <label>
              <input type="checkbox" checked={draft.tls} onChange={(e) => set({ tls: e.target.checked })} />{' '}
              TLS
            </label>
            {draft.tls ? (
              <>
                {field('CA file', 'kafka.caFile', 'caFile', { placeholder: "empty: this system's CAs" })}
                {field('Client certificate', 'kafka.certFile', 'certFile', { placeholder: 'optional, PEM' })}
                {field('Client key', 'kafka.keyFile', 'keyFile', { placeholder: 'optional, PEM' })}
              </>
            ) : null}
          </fieldset>
          <fieldset>
            <legend>InfluxDB</legend>
            {field('InfluxDB URL', 'influx.url', 'url', {
              placeholder: 'https://eu-central-1-1.aws.cloud2.influxdata.com',
            })}
            {field('Organization', 'influx.org', 'org')}
            {field('Bucket', 'influx.bucket', 'bucket')}
            {field('Token', 'influx.token', 'token', {
              type: 'password',
              placeholder: secretHint(view.secrets.influxToken),
            })}
          </fieldset>
          <p className="hint" data-testid="secret-store">
            Password and token: {view.secretStore.note} ({view.secretStore.path})
          </p>
          <div className="actions">
            <button type="submit" disabled={busy}>
              Save
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                // Tests what is typed: saved first, as Start would use it.
                void testing.run(async () => {
                  setChecked(null);
                  const v = await api.call('connection:update', updateOf(draft));
                  setView(v);
                  setDraft(draftOf(v));
                  setChecked(await api.call('connection:test'));
                })
              }
            >
              Test connection
            </button>
          </div>
          {checked ? (
            <p className="ok" role="status" data-testid="connection-ok">
              {`Connected: Kafka ${checked.kafka.brokers} broker${checked.kafka.brokers === 1 ? '' : 's'}; InfluxDB ${checked.influx.url}, bucket ${checked.influx.bucket} (write and read allowed).`}
            </p>
          ) : null}
        </form>
      ) : null}
      <ActionError error={testing.error ?? saving.error} testId="connection-error" />
    </section>
  );
}
