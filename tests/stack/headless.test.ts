import { describe, expect, it } from 'vitest';
import { compose, flux, stackEnv, waitUntil } from './stack-env';

describe('headless mode (docker compose --profile headless)', () => {
  it('builds the producer image, runs it healthy, and its walks reach InfluxDB', async () => {
    const since = new Date().toISOString();
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

  it('stops on SIGTERM with exit code 0 after flushing', async () => {
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
    expect(logs.trim().split('\n').at(-1)).toMatch(/queued 0 \| errors 0/);
  });
});
