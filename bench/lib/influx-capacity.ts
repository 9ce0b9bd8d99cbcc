/**
 * InfluxDB's own write capacity on this machine: a direct line-protocol writer (concurrent HTTP
 * POSTs of 5 000-line batches, precision ns, no compression) into a throw-away bucket, so the
 * pipeline's data is untouched. Only batches InfluxDB answered 204 to are counted, and the count
 * is checked with a query afterwards.
 */
import { sleep } from './stats';

export interface InfluxTarget {
  url: string;
  token: string;
  org: string;
}

export interface InfluxCapacityOptions extends InfluxTarget {
  seconds: number;
  /** Series written to (like our walks). */
  walks?: number;
  batchLines?: number;
  concurrency?: number;
  /** Counts points in the bucket: pass the stack's Flux runner. */
  countPoints: (bucket: string) => Promise<number>;
}

export interface InfluxCapacity {
  pointsPerSecond: number;
  written: number;
  counted: number;
  batchLines: number;
  concurrency: number;
  walks: number;
}

async function api(t: InfluxTarget, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { Authorization: `Token ${t.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`InfluxDB ${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

export async function measureInfluxCapacity(opts: InfluxCapacityOptions): Promise<InfluxCapacity> {
  const walks = opts.walks ?? 100;
  const batchLines = opts.batchLines ?? 5_000;
  const concurrency = opts.concurrency ?? 4;
  const orgs = (await api(opts, 'GET', `/api/v2/orgs?org=${encodeURIComponent(opts.org)}`)) as {
    orgs: { id: string }[];
  };
  const orgID = orgs.orgs[0]?.id;
  if (!orgID) throw new Error(`InfluxDB org ${opts.org} not found`);
  const bucketName = `bench-capacity-${Date.now().toString(36)}`;
  const bucket = (await api(opts, 'POST', '/api/v2/buckets', {
    orgID,
    name: bucketName,
    retentionRules: [],
  })) as { id: string };
  try {
    const prefixes = Array.from(
      { length: walks },
      (_, w) => `random_walk,walk=cap${String(w).padStart(4, '0')} value=`,
    );
    const baseNs = BigInt(Date.now()) * 1_000_000n;
    let tick = 0;
    // Each batch holds whole ticks (every walk once per tick, one timestamp per tick, 1 µs apart).
    const nextBatch = (): { body: string; lines: number } => {
      const lines: string[] = [];
      while (lines.length + walks <= Math.max(batchLines, walks)) {
        const ts = (baseNs + BigInt(tick) * 1_000n).toString();
        for (let w = 0; w < walks; w++)
          lines.push(`${prefixes[w]}${100 + Math.sin(tick + w)},seq=${tick}i ${ts}`);
        tick++;
      }
      return { body: lines.join('\n'), lines: lines.length };
    };
    const writeUrl =
      `${opts.url}/api/v2/write?org=${encodeURIComponent(opts.org)}` +
      `&bucket=${encodeURIComponent(bucketName)}&precision=ns`;
    let written = 0;
    const started = performance.now();
    const deadline = started + opts.seconds * 1000;
    const writer = async () => {
      while (performance.now() < deadline) {
        const { body, lines } = nextBatch();
        const res = await fetch(writeUrl, {
          method: 'POST',
          headers: { Authorization: `Token ${opts.token}`, 'Content-Type': 'text/plain; charset=utf-8' },
          body,
        });
        if (res.status !== 204) throw new Error(`InfluxDB write: ${res.status} ${await res.text()}`);
        written += lines;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, writer));
    const secs = (performance.now() - started) / 1000;
    // Writes are acknowledged once in the WAL; give the engine a moment before counting.
    let counted = 0;
    for (let i = 0; i < 20 && counted < written; i++) {
      counted = await opts.countPoints(bucketName);
      if (counted < written) await sleep(500);
    }
    return { pointsPerSecond: written / secs, written, counted, batchLines, concurrency, walks };
  } finally {
    await api(opts, 'DELETE', `/api/v2/buckets/${bucket.id}`).catch((err) =>
      console.warn(`could not delete bucket ${bucketName}: ${(err as Error).message}`),
    );
  }
}
