export const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function uptime(startedAt: string | null, now = Date.now()): string {
  if (!startedAt) return '—';
  const s = Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function age(ms: number | null): string {
  if (ms === null) return 'no data yet';
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s ago` : `${Math.round(ms / 1000)} s ago`;
}

/** How long, for a state's age: "12 s", "3 min 5 s". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
