import { useEffect, useMemo, useRef, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import type { PreviewPoint, PreviewUpdate } from '../../../core/contract/data';
import { api } from '../api-client';
import { withGaps } from '../chart-gaps';
import { age } from '../format';

const COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** Merges increments into per-walk buffers (same timestamp replaces) and keeps the last 60 s. */
function merge(buffers: Map<string, PreviewPoint[]>, update: PreviewUpdate): Map<string, PreviewPoint[]> {
  const next = update.reset ? new Map<string, PreviewPoint[]>() : new Map(buffers);
  const cutoff = update.at - update.windowSeconds * 1000;
  const shown = new Set(update.series.map((s) => s.walk));
  for (const walk of next.keys()) if (!shown.has(walk)) next.delete(walk);
  for (const s of update.series) {
    const byT = new Map((next.get(s.walk) ?? []).map((p) => [p.t, p.v]));
    for (const p of s.points) byT.set(p.t, p.v);
    next.set(
      s.walk,
      [...byT.entries()]
        .filter(([t]) => t >= cutoff)
        .sort(([a], [b]) => a - b)
        .map(([t, v]) => ({ t, v })),
    );
  }
  return next;
}

/**
 * The newest point's age, kept ageing between updates: while InfluxDB is down no update comes,
 * and a frozen "0.5 s ago" would hide exactly the fault the user is looking at.
 */
function Freshness({ newestAt, suffix }: { newestAt: number | null; suffix: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <p className="freshness" data-testid="freshness" role="status">
      Last point {age(newestAt === null ? null : Math.max(0, now - newestAt))}
      {suffix}
    </p>
  );
}

/** The walks from InfluxDB, last 60 s, one line per walk, with last values and data freshness. */
export function LiveChart() {
  const [buffers, setBuffers] = useState(new Map<string, PreviewPoint[]>());
  const [meta, setMeta] = useState<PreviewUpdate | null>(null);
  // When the newest point was made, on this page's clock (the age arrives relative to the
  // core's). An update without points (nothing in the last 60 s) keeps the old one ageing.
  const [newestAt, setNewestAt] = useState<number | null>(null);
  const bufRef = useRef(buffers);
  useEffect(() => {
    const apply = (u: PreviewUpdate) => {
      bufRef.current = merge(bufRef.current, u);
      setBuffers(bufRef.current);
      setMeta(u);
      const ages = u.series.map((s) => s.freshnessMs).filter((a): a is number => a !== null);
      if (ages.length > 0) setNewestAt(Date.now() - Math.min(...ages));
    };
    api.call('preview:snapshot').then(apply, () => {});
    return api.subscribe('preview:update', apply);
  }, []);

  const walks = [...buffers.keys()].sort();
  const gapMs = meta?.gapMs ?? Number.POSITIVE_INFINITY;
  // One data array per line: walks whose points fall at different times must not break each
  // other's lines, while a gap within a walk must break its own.
  const lines = useMemo(
    () => new Map([...buffers].map(([walk, pts]) => [walk, withGaps(pts, gapMs)])),
    [buffers, gapMs],
  );
  const totalPoints = [...buffers.values()].reduce((a, p) => a + p.length, 0);

  return (
    <section className="panel" aria-label="Live chart">
      <h2>Walks (last 60 s)</h2>
      <Freshness
        newestAt={newestAt}
        suffix={
          meta && meta.hiddenWalks > 0
            ? ` · showing ${walks.length} of ${walks.length + meta.hiddenWalks} walks`
            : ''
        }
      />
      {totalPoints === 0 ? (
        <p className="hint" data-testid="chart-empty">
          No data yet: start the pipeline; points appear here within seconds.
        </p>
      ) : null}
      <div data-testid="chart" data-points={totalPoints}>
        <ResponsiveContainer width="100%" height={320}>
          <LineChart>
            <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
            <XAxis
              dataKey="t"
              type="number"
              domain={['dataMin', 'dataMax']}
              tickFormatter={(t) => new Date(t).toLocaleTimeString()}
            />
            <YAxis domain={['auto', 'auto']} width={70} />
            <Legend
              formatter={(walk: string) => {
                const s = meta?.series.find((x) => x.walk === walk);
                return `${walk} ${s?.lastValue?.toFixed(3) ?? ''}`;
              }}
            />
            {walks.map((w, i) => (
              <Line
                key={w}
                name={w}
                data={lines.get(w)}
                dataKey="v"
                dot={false}
                isAnimationActive={false}
                stroke={COLORS[i % COLORS.length]}
                connectNulls={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}
