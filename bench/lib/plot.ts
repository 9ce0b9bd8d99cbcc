/**
 * The throughput/latency plot: an SVG drawn here (two panels over the asked rate, log scales),
 * rendered to PNG by the same Chromium the app bench uses. No plotting library, no Python.
 */
import { chromium } from 'playwright-core';

export interface PlotPoint {
  rate: number;
  /** Points stored in InfluxDB per second (not merely acknowledged by Kafka). */
  stored: number;
  p50Ms: number;
  p99Ms: number;
  sustainable: boolean;
}

export interface PlotInput {
  points: PlotPoint[];
  influxCapacity?: number;
  latencyGoalMs: number;
  title: string;
}

const W = 560;
const H = 400;
const M = { left: 80, right: 20, top: 56, bottom: 50 };

function logScale(min: number, max: number, from: number, to: number) {
  const a = Math.log10(min);
  const b = Math.log10(max);
  return (v: number) => from + ((Math.log10(Math.max(v, min)) - a) / (b - a)) * (to - from);
}

function decades(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min && v <= max) out.push(v);
    }
  }
  return out;
}

const label = (v: number) =>
  v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : v >= 1 ? String(v) : v.toPrecision(1);

interface Series {
  name: string;
  color: string;
  values: { x: number; y: number; ok: boolean }[];
  dashed?: boolean;
}

function panel(
  title: string,
  yTitle: string,
  xs: [number, number],
  ys: [number, number],
  series: Series[],
  hlines: { y: number; text: string; color: string }[],
): string {
  const x = logScale(xs[0], xs[1], M.left, W - M.right);
  const y = logScale(ys[0], ys[1], H - M.bottom, M.top);
  const parts: string[] = [
    `<text x="${W / 2}" y="22" text-anchor="middle" font-weight="bold">${title}</text>`,
  ];
  for (const v of decades(xs[0], xs[1])) {
    parts.push(
      `<line x1="${x(v)}" x2="${x(v)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#eee"/>`,
      `<text x="${x(v)}" y="${H - M.bottom + 18}" text-anchor="middle">${label(v)}</text>`,
    );
  }
  for (const v of decades(ys[0], ys[1])) {
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`,
      `<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${label(v)}</text>`,
    );
  }
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#999"/>`,
    `<text x="${W / 2}" y="${H - 10}" text-anchor="middle">asked rate (points/s)</text>`,
    `<text transform="translate(18 ${H / 2}) rotate(-90)" text-anchor="middle">${yTitle}</text>`,
  );
  for (const h of hlines) {
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(h.y)}" y2="${y(h.y)}" stroke="${h.color}" stroke-dasharray="6 4"/>`,
      `<text x="${W - M.right - 4}" y="${y(h.y) - 5}" text-anchor="end" fill="${h.color}">${h.text}</text>`,
    );
  }
  series.forEach((s, i) => {
    const path = s.values.map((p) => `${x(p.x)},${y(p.y)}`).join(' ');
    parts.push(
      `<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="3 3"' : ''}/>`,
    );
    for (const p of s.values) {
      // Hollow markers: rates that were not sustainable.
      parts.push(
        `<circle cx="${x(p.x)}" cy="${y(p.y)}" r="4" stroke="${s.color}" stroke-width="2" fill="${p.ok ? s.color : 'white'}"/>`,
      );
    }
    parts.push(
      // Legend in one row between the title and the plot area, clear of the data and the lines.
      `<line x1="${M.left + i * 130}" x2="${M.left + 24 + i * 130}" y1="40" y2="40" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${M.left + 30 + i * 130}" y="44">${s.name}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">${parts.join('')}</svg>`;
}

export function throughputLatencySvg(input: PlotInput): string {
  const pts = [...input.points].sort((a, b) => a.rate - b.rate);
  const rates = pts.map((p) => p.rate);
  const xs: [number, number] = [Math.min(...rates) / 1.5, Math.max(...rates) * 1.5];
  const tp = [...pts.map((p) => p.stored), input.influxCapacity ?? 0].filter((v) => v > 0);
  const left = panel(
    'Stored throughput',
    'points/s stored in InfluxDB',
    xs,
    [Math.min(...tp) / 1.5, Math.max(...tp, xs[1]) * 1.5],
    [
      {
        name: 'asked (ideal)',
        color: '#bbb',
        dashed: true,
        values: pts.map((p) => ({ x: p.rate, y: p.rate, ok: true })),
      },
      {
        name: 'stored',
        color: '#4e79a7',
        values: pts.map((p) => ({ x: p.rate, y: p.stored, ok: p.sustainable })),
      },
    ],
    input.influxCapacity
      ? [{ y: input.influxCapacity, text: 'InfluxDB direct-write capacity', color: '#59a14f' }]
      : [],
  );
  const lat = pts.flatMap((p) => [p.p50Ms, p.p99Ms]).filter((v) => Number.isFinite(v) && v > 0);
  const right = panel(
    'Event → queryable latency',
    'event → queryable (ms)',
    xs,
    [Math.min(...lat, input.latencyGoalMs) / 1.5, Math.max(...lat, input.latencyGoalMs) * 1.5],
    [
      {
        name: 'p50',
        color: '#4e79a7',
        values: pts.map((p) => ({ x: p.rate, y: p.p50Ms, ok: p.sustainable })),
      },
      {
        name: 'p99',
        color: '#e15759',
        values: pts.map((p) => ({ x: p.rate, y: p.p99Ms, ok: p.sustainable })),
      },
    ],
    [{ y: input.latencyGoalMs, text: `goal p99 ≤ ${input.latencyGoalMs} ms at 10k/s`, color: '#f28e2b' }],
  );
  return `<div id="plot" style="display:inline-block;background:white;padding:8px">
<div style="font:bold 15px sans-serif;margin:4px 8px">${input.title}</div>
<div style="display:flex">${left}${right}</div>
<div style="font:12px sans-serif;margin:4px 8px;color:#555">Filled markers: sustainable (zero loss, backlog not growing, bounded drain); hollow: not sustainable.</div>
</div>`;
}

export async function renderPng(html: string, path: string): Promise<void> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 600 }, deviceScaleFactor: 2 });
    await page.setContent(
      `<!doctype html><html><body style="margin:0;background:white">${html}</body></html>`,
    );
    await page.locator('#plot').screenshot({ path });
  } finally {
    await browser.close();
  }
}
