import type { ProducerStatus, StackStatus } from '../../../core/contract/data';
import { api } from '../api-client';
import { useAction } from '../use-action';
import { ActionError } from './action-error';

const LABELS: Record<StackStatus['state'], string> = {
  stopped: 'Stopped',
  starting: 'Starting…',
  running: 'Running',
  degraded: 'Degraded',
  stopping: 'Stopping…',
  error: 'Error',
};

/** Start / Stop for the whole pipeline (stack, then producer), with its overall state and errors. */
export function PipelineBar({
  stack,
  producer,
}: {
  stack: StackStatus | null;
  producer: ProducerStatus | null;
}) {
  const { busy, error, run: act } = useAction();
  const state = stack?.state ?? 'stopped';
  const running = state === 'running' || state === 'degraded';
  const starting = state === 'starting';
  const producing = producer?.state === 'running' || producer?.state === 'starting';
  const healthy = stack?.services.filter((s) => s.health === 'healthy').length ?? 0;
  const present = stack?.services.filter((s) => s.state !== 'not-available').length ?? 0;

  const start = () =>
    act(async () => {
      await api.call('stack:up');
      await api.call('producer:start');
    });
  const stop = () =>
    act(async () => {
      await api.call('producer:stop');
      await api.call('stack:down', { removeVolumes: false });
    });

  const shownError = error ?? stack?.error ?? producer?.error ?? null;
  return (
    <header className="pipeline-bar" data-testid="pipeline-bar" data-ready={stack ? 'true' : 'false'}>
      <h1>Walkstream</h1>
      <span className={`state state-${state}`} data-testid="pipeline-state" role="status" aria-live="polite">
        {LABELS[state]}
        {starting && present > 0 ? ` (${healthy}/${present} healthy)` : ''}
        {producer?.state === 'running' ? ' · producing' : ''}
      </span>
      {!stack?.dockerAvailable && stack ? <span className="hint">Docker is not reachable.</span> : null}
      <div className="actions">
        {/* Distinct keys: a re-render must never turn the button under the pointer into the other one. */}
        {producing || starting ? (
          <button key="stop" type="button" className="secondary" disabled={busy} onClick={stop}>
            Stop pipeline
          </button>
        ) : (
          <button key="start" type="button" className="primary" disabled={busy || !stack} onClick={start}>
            Start pipeline
          </button>
        )}
        {running && !producing ? (
          <button key="down" type="button" className="secondary" disabled={busy} onClick={stop}>
            Stop stack
          </button>
        ) : null}
      </div>
      <ActionError error={shownError} testId="pipeline-error" />
      {shownError?.code === 'STACK_DATA_FROM_OTHER_SECRETS' ? (
        <div className="actions" data-testid="data-mismatch-actions">
          {shownError.details?.matchingEnvFile ? (
            <button
              type="button"
              disabled={busy}
              onClick={() => act(() => api.call('stack:adoptMatchingEnv'))}
            >
              Use the matching secrets
            </button>
          ) : null}
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => {
              if (
                window.confirm(
                  "Delete the stack's old data (Kafka topics, InfluxDB points, Grafana state)? This cannot be undone.",
                )
              )
                void act(() => api.call('stack:down', { removeVolumes: true }));
            }}
          >
            Delete old data…
          </button>
        </div>
      ) : null}
    </header>
  );
}
