import { useEffect, useRef, useState } from 'react';
import type { ProducerStatus, WalkParams } from '../../../core/contract/data';
import { MAX_POINTS_PER_SECOND, PARAM_RANGES } from '../../../core/contract/walk-params';
import { api } from '../api-client';
import { fmt } from '../format';
import { useAction } from '../use-action';
import { ActionError } from './action-error';

type SliderName = 'walks' | 'rate' | 'volatility' | 'drift' | 'theta' | 'mu';
const SLIDERS: { name: SliderName; label: string; step: number; max?: number }[] = [
  { name: 'walks', label: 'Walks', step: 1, max: 1000 },
  { name: 'rate', label: 'Rate (ticks/s)', step: 1, max: 1000 },
  { name: 'volatility', label: 'Volatility', step: 0.1, max: 100 },
  { name: 'drift', label: 'Drift', step: 0.1, max: 100 },
  { name: 'theta', label: 'Mean reversion θ', step: 0.1 },
  { name: 'mu', label: 'Mean μ', step: 1, max: 1000 },
];

/** Bounds that keep every combination valid: walks × rate within the cap, θ within the rate. */
function bounds(name: SliderName, p: WalkParams): { min: number; max: number } {
  const r = PARAM_RANGES[name];
  const min =
    name === 'drift' || name === 'mu'
      ? -(SLIDERS.find((s) => s.name === name)?.max ?? r.max)
      : Math.max(r.min, name === 'rate' ? 1 : r.min);
  let max: number = SLIDERS.find((s) => s.name === name)?.max ?? r.max;
  if (name === 'walks') max = Math.min(max, Math.floor(MAX_POINTS_PER_SECOND / p.rate));
  if (name === 'rate') max = Math.min(max, Math.floor(MAX_POINTS_PER_SECOND / p.walks));
  if (name === 'theta') max = Math.min(r.max, p.rate);
  return { min, max };
}

/** Sliders applied live (debounced), the value beside each, and the producer's own figures. */
export function WalkControls({ producer }: { producer: ProducerStatus | null }) {
  const [params, setParams] = useState<WalkParams | null>(producer?.params ?? null);
  const { error, run } = useAction();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Every slider moved within one debounce interval: sending only the last would drop the others.
  const pending = useRef<Partial<WalkParams>>({});
  useEffect(() => {
    if (!params && producer) setParams(producer.params);
  }, [producer, params]);
  useEffect(() => () => clearTimeout(timer.current ?? undefined), []);
  if (!params) return null;

  const change = (patch: Partial<WalkParams>) => {
    setParams({ ...params, ...patch });
    pending.current = { ...pending.current, ...patch };
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const send = pending.current;
      pending.current = {};
      void run(() => api.call('producer:setParams', send));
    }, 150);
  };
  const m = producer?.metrics;
  return (
    <section className="panel" aria-label="Walk parameters">
      <h2>Walk parameters</h2>
      {SLIDERS.map((s) => {
        const b = bounds(s.name, params);
        const id = `param-${s.name}`;
        return (
          <div className="slider" key={s.name}>
            <label htmlFor={id}>{s.label}</label>
            <input
              id={id}
              data-testid={id}
              type="range"
              min={b.min}
              max={b.max}
              step={s.step}
              value={Math.min(params[s.name], b.max)}
              onChange={(e) => change({ [s.name]: Number(e.target.value) })}
            />
            <output htmlFor={id}>{fmt.format(params[s.name])}</output>
          </div>
        );
      })}
      <div className="slider">
        <label htmlFor="param-seed">Seed</label>
        <input
          id="param-seed"
          type="number"
          min={0}
          max={PARAM_RANGES.seed.max}
          step={1}
          value={params.seed}
          onChange={(e) => {
            const v = Number(e.target.value);
            if (Number.isInteger(v) && v >= 0 && v <= PARAM_RANGES.seed.max) change({ seed: v });
          }}
        />
      </div>
      <ActionError error={error} testId="params-error" />
      <dl className="stats" data-testid="producer-stats">
        <dt>Producer</dt>
        <dd>{producer?.state ?? '—'}</dd>
        <dt>Points/s</dt>
        <dd>{m ? fmt.format(m.pointsPerSecond) : '—'}</dd>
        <dt>Send latency p50 / p99</dt>
        <dd>{m?.sendLatencyMs ? `${m.sendLatencyMs.p50} / ${m.sendLatencyMs.p99} ms` : '—'}</dd>
        <dt>Errors</dt>
        <dd>{m?.errors ?? 0}</dd>
        <dt>Behind schedule</dt>
        <dd>{m ? `${fmt.format(m.lagMs)} ms (${fmt.format(m.ticksSkipped)} ticks skipped)` : '—'}</dd>
      </dl>
    </section>
  );
}
