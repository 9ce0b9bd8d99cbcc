/// <reference lib="dom" />
/**
 * The UI end to end: browser mode (the real core over HTTP) in Debian's Chromium, against the real
 * stack that tests/stack/with-stack.sh brought up.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PIPELINE_SERVICES } from '../../core/contract/data';
import { flux, repoDir, stackEnv, waitUntil } from '../stack/stack-env';
import { appPageSuite } from './app-page-suite';

const app = appPageSuite({ width: 1400, height: 1000 });

const run = promisify(execFile);

// Screenshots of the main states: test artifacts under test-results/, or the README's pictures
// under docs/screenshots/ with WALKSTREAM_UPDATE_SCREENSHOTS=1.
const shotsDir =
  process.env.WALKSTREAM_UPDATE_SCREENSHOTS === '1'
    ? `${repoDir}docs/screenshots`
    : `${repoDir}test-results/screenshots`;
const shot = (name: string) => app.page.screenshot({ path: `${shotsDir}/${name}.png`, fullPage: true });

/** Standard deviation of one-step increments of the walks over an InfluxDB time range. */
async function stepStdDev(startIso: string, stopIso: string): Promise<number> {
  const rows = await flux<{ _value: number }>(`from(bucket: "${stackEnv.influxBucket}")
  |> range(start: ${startIso}, stop: ${stopIso})
  |> filter(fn: (r) => r._measurement == "random_walk" and r._field == "value" and r.walk =~ /^w000[0-9]$/)
  |> difference()
  |> group()
  |> stddev()`);
  return Number(rows[0]?._value ?? Number.NaN);
}

describe('the app in Chromium against the real stack', () => {
  it('Start pipeline: cards turn healthy, the chart shows points within 30 s, Kafka shows 3 brokers and a produce rate', async () => {
    await app.page.locator('[data-testid="pipeline-bar"][data-ready="true"]').waitFor({ timeout: 30_000 });
    await shot('1-before-start');
    await app.page.getByRole('button', { name: 'Start pipeline' }).click();
    for (const service of PIPELINE_SERVICES) {
      await app.page
        .locator(`[data-testid="service-${service}"][data-health="healthy"]`)
        .waitFor({ timeout: 120_000 });
    }
    expect(await app.page.getByTestId('service-grafana').textContent()).toContain('not available');
    const started = Date.now();
    await app.page.waitForFunction(
      () => Number(document.querySelector('[data-testid="chart"]')?.getAttribute('data-points')) > 0,
      null,
      {
        timeout: 30_000,
      },
    );
    console.log(
      `chart showed points ${((Date.now() - started) / 1000).toFixed(1)} s after the services were healthy`,
    );
    await app.page.locator('[data-testid="brokers"][data-up="3"]').waitFor({ timeout: 30_000 });
    await app.page.waitForFunction(
      () => Number(document.querySelector('[data-testid="produce-rate"]')?.getAttribute('data-value')) > 0,
      null,
      { timeout: 30_000 },
    );
    expect(await app.page.getByTestId('pipeline-state').textContent()).toContain('Running');
    // A few seconds of walks on the chart before the picture.
    await app.page.waitForFunction(
      () => Number(document.querySelector('[data-testid="chart"]')?.getAttribute('data-points')) >= 60,
      null,
      {
        timeout: 30_000,
      },
    );
    await shot('2-running');
  });

  it('moving the volatility slider up 10× makes the stored steps 10× wider within 10 s', async () => {
    const beforeEnd = new Date();
    // This run's points only: the suites before this one wrote the same walk ids, and a step from
    // their last point to this run's first would swamp the spread.
    const status = await app.core.router.call('producer:status', undefined);
    const runStart = status.ok ? ((status.result as { startedAt: number | null }).startedAt ?? 0) : 0;
    const before = await stepStdDev(
      new Date(Math.max(beforeEnd.getTime() - 8_000, runStart)).toISOString(),
      beforeEnd.toISOString(),
    );
    await app.page.getByTestId('param-volatility').fill('10');
    expect(await app.page.locator('output[for="param-volatility"]').textContent()).toBe('10');
    const changedAt = Date.now();
    const after = await waitUntil(
      'step standard deviation about 10× larger',
      () => stepStdDev(new Date(changedAt + 1_000).toISOString(), new Date().toISOString()),
      (sd) => sd > before * 5,
      10_000,
      1_000,
    );
    console.log(
      `step std dev before ${before.toFixed(4)}, after ${after.toFixed(4)} (×${(after / before).toFixed(1)})`,
    );
    expect(after / before).toBeGreaterThan(5);
    expect(after / before).toBeLessThan(20);
  });

  it('Stop pipeline: the producer stops, the containers go away, the UI shows stopped', async () => {
    await app.page.getByRole('button', { name: 'Stop pipeline' }).click();
    await app.page.waitForFunction(
      () => document.querySelector('[data-testid="pipeline-state"]')?.textContent?.startsWith('Stopped'),
      null,
      { timeout: 120_000 },
    );
    expect((await app.core.router.call('producer:status', undefined)) as unknown).toMatchObject({
      ok: true,
      result: { state: 'stopped' },
    });
    const { stdout } = await run(stackEnv.docker, [
      'ps',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${stackEnv.project}`,
    ]);
    expect(stdout.trim()).toBe('');
    expect(await app.page.getByTestId('service-kafka-1').textContent()).toContain('not available');
    await shot('3-stopped');
  });
});
