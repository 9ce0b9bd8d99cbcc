import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../core/stack/env-file';
import { compose, flux, stackEnv, storedPerWalk, waitUntil } from './stack-env';

// Points of walks named w… stamped after this are the headless producer's: no other producer runs
// such walks while this file does.
const since = new Date().toISOString();

describe('headless mode (docker compose --profile headless)', () => {
  it('builds the producer image, runs it healthy, and its walks reach InfluxDB', async () => {
    await compose(
      '--profile',
      'headless',
      'up',
      '-d',
      '--build',
      '--wait',
      '--wait-timeout',
      '240',
      'producer',
    );
    const ps = await compose(
      '--profile',
      'headless',
      'ps',
      '--format',
      '{{.Service}} {{.Health}}',
      'producer',
    );
    expect(ps.trim()).toBe('producer healthy');
    const rows = await waitUntil(
      'points of walk w0000 from the headless producer',
      () =>
        flux<{ _value: number }>(`from(bucket: "${stackEnv.influxBucket}")
  |> range(start: ${since})
  |> filter(fn: (r) => r._measurement == "random_walk" and r.walk == "w0000" and r._field == "seq")`),
      (r) => r.length >= 5,
      60_000,
    );
    const seqs = rows.map((r) => r._value);
    expect(seqs).toEqual(seqs.map((_, i) => i));
  });

  it('stops on SIGTERM with exit code 0, and every point it generated reaches InfluxDB', async () => {
    await compose('--profile', 'headless', 'stop', '--timeout', '30', 'producer');
    const out = await compose(
      '--profile',
      'headless',
      'ps',
      '-a',
      '--format',
      '{{.Service}} {{.ExitCode}}',
      'producer',
    );
    expect(out.trim()).toBe('producer 0');
    const logs = await compose('--profile', 'headless', 'logs', '--no-color', 'producer');
    expect(logs).toContain('SIGTERM: flushing and stopping');
    const lastLine = logs.trim().split('\n').at(-1) ?? '';
    expect(lastLine).toMatch(/queued 0 \| errors 0/);
    const generated = Number(/produced ([\d,]+)/.exec(lastLine)?.[1]?.replace(/,/g, ''));
    expect(generated).toBeGreaterThan(0);
    // Counted where the points end up: each walk gap-free from seq 0, none twice, all to the same
    // tick, and together what the producer said it generated.
    const walks = Number(parseEnvFile(readFileSync(stackEnv.envFile, 'utf8')).WALKSTREAM_WALKS ?? 10);
    const stored = await waitUntil(
      `InfluxDB holds the ${generated} points the producer generated`,
      () => storedPerWalk('w', since),
      (perWalk) => perWalk.reduce((a, s) => a + s.count, 0) >= generated,
      60_000,
      1_000,
    );
    const n = generated / walks;
    expect(stored.map((s) => s.walk).sort()).toEqual(
      Array.from({ length: walks }, (_, i) => `w${String(i).padStart(4, '0')}`),
    );
    for (const s of stored) expect(s).toEqual({ walk: s.walk, count: n, distinct: n, min: 0, max: n - 1 });
  });
});
