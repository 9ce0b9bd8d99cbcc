import { useCallback, useEffect, useState } from 'react';
import type { DockerEngine, Settings, StackInfo, StackStatus } from '../../../core/contract/data';
import { api } from '../api-client';
import { useAction } from '../use-action';
import { ActionError } from './action-error';

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/**
 * Which Docker engine and docker CLI the app uses and why, where the stack's files and secrets
 * live, and the settings that change them: engine, CLI path, locally built images.
 */
export function EnginePanel({ stack }: { stack: StackStatus | null }) {
  const [engine, setEngine] = useState<DockerEngine | null>(null);
  const [engineError, setEngineError] = useState<string | null>(null);
  const [info, setInfo] = useState<StackInfo | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [draft, setDraft] = useState({ dockerEndpoint: '', dockerCli: '' });
  const saving = useAction();

  const reload = useCallback(() => {
    api.call('docker:engine').then(
      (e) => {
        setEngine(e);
        setEngineError(null);
      },
      (e: Error) => {
        setEngine(null);
        setEngineError(e.message);
      },
    );
    api.call('stack:info').then(setInfo, () => {});
  }, []);
  useEffect(() => {
    api.call('settings:get').then(
      (s) => {
        setSettings(s);
        setDraft({ dockerEndpoint: s.stack.dockerEndpoint, dockerCli: s.stack.dockerCli });
      },
      () => {},
    );
  }, []);
  // Docker going away or coming back changes what there is to say.
  const dockerAvailable = stack?.dockerAvailable;
  useEffect(() => {
    void dockerAvailable;
    reload();
  }, [reload, dockerAvailable]);

  const save = (patch: Partial<Settings['stack']>) => {
    // Shown at once (a checkbox must not spring back while the core saves); the core's answer,
    // or the previous value if it refuses, replaces it.
    const before = settings;
    if (before) setSettings({ ...before, stack: { ...before.stack, ...patch } });
    return saving.run(async () => {
      try {
        setSettings(await api.call('settings:updateStack', patch));
      } catch (err) {
        setSettings(before);
        throw err;
      }
      reload();
    });
  };

  return (
    <section className="card engine" aria-label="Docker engine" data-testid="engine-panel">
      <h2>Docker</h2>
      {engine ? (
        <p data-testid="engine-summary">
          {engine.name} {engine.serverVersion}, {gib(engine.memTotalBytes)} memory
          {engine.contextName ? `, context "${engine.contextName}"` : ''} ({engine.host}, chosen by{' '}
          {engine.source})
        </p>
      ) : (
        <p className="error" data-testid="engine-error">
          {engineError ?? 'Asking Docker…'}
        </p>
      )}
      {engine?.cliPath ? (
        <p className="hint">
          docker CLI {engine.cliPath}, Compose {engine.composeVersion}
        </p>
      ) : engine?.cliError ? (
        <p className="error">{engine.cliError.message}</p>
      ) : null}
      {info ? (
        <p className="hint" data-testid="stack-folder">
          Stack files and secrets: {info.stackDir}
          {info.lastUpdate && info.lastUpdate.updated.length > 0
            ? ` — updated from ${info.lastUpdate.previousVersion} to ${info.appVersion}: ${info.lastUpdate.updated.join(', ')}`
            : ''}
          {info.lastUpdate && info.lastUpdate.backedUp.length > 0
            ? `; your edits kept as .user-* copies: ${info.lastUpdate.backedUp.join(', ')}`
            : ''}
        </p>
      ) : null}
      {settings ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save(draft);
          }}
        >
          <fieldset className="profile" data-testid="profile">
            <legend>Stack profile</legend>
            <label>
              <input
                type="radio"
                name="profile"
                checked={settings.stack.profile === 'full'}
                disabled={saving.busy}
                onChange={() => void save({ profile: 'full' })}
              />{' '}
              Full: 3 Kafka brokers, Kafka UI
            </label>
            <label>
              <input
                type="radio"
                name="profile"
                checked={settings.stack.profile === 'lite'}
                disabled={saving.busy}
                onChange={() => void save({ profile: 'lite' })}
              />{' '}
              Lite: 1 broker, no Kafka UI — for small laptops
            </label>
            {settings.stack.profile === 'lite' ? (
              <p className="hint">
                Gives up broker-failure demos (the Chaos panel's broker faults are off) and replication: one
                broker holds the only copy of the topic. Its topic is kept apart from the full profile's; the
                stored walks in InfluxDB are shared.
              </p>
            ) : null}
          </fieldset>
          <label>
            <input
              type="checkbox"
              checked={settings.stack.localImages}
              disabled={saving.busy}
              onChange={(e) => void save({ localImages: e.target.checked })}
            />{' '}
            Use locally built images (<code>npm run images:local</code>)
          </label>
          {settings.stack.localImages ? (
            <p className="hint">Grafana and Kafka UI have no local build: they are left out.</p>
          ) : null}
          <label>
            Engine (address or context; empty: the docker CLI's choice)
            <input
              value={draft.dockerEndpoint}
              placeholder="unix:///var/run/docker.sock or a context name"
              onChange={(e) => setDraft({ ...draft, dockerEndpoint: e.target.value })}
            />
          </label>
          <label>
            docker CLI (empty: searched for)
            <input
              value={draft.dockerCli}
              placeholder="/usr/local/bin/docker"
              onChange={(e) => setDraft({ ...draft, dockerCli: e.target.value })}
            />
          </label>
          <button type="submit" disabled={saving.busy}>
            Save
          </button>
          <ActionError error={saving.error} testId="settings-error" />
        </form>
      ) : null}
    </section>
  );
}
