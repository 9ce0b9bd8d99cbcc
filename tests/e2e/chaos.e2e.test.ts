/// <reference lib="dom" />
/**
 * The Chaos panel end to end: browser mode (the real core over HTTP) in Debian's Chromium, against
 * the real stack that tests/stack/with-stack.sh brought up. Each fault is injected from the panel,
 * its effect is read from the page while it lasts, and Undo must bring the pipeline back.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { activeController, controllerService } from '../faults/partition-watch';
import { repoDir, stackEnv } from '../stack/stack-env';
import { appPageSuite, startPipeline, waitForNumber } from './app-page-suite';

const app = appPageSuite(
  { width: 1400, height: 1200 },
  {
    restoreStack: true,
    // What the page and the core showed: the failure message alone says too little.
    onFailure: async (testName) => {
      const name = testName.split(':')[0]?.replace(/\W+/g, '-') ?? 'failed';
      await shot(`failed-${name}`).catch(() => {});
      console.log(
        `page at failure:\n${await app.page.getByTestId('chaos-panel').textContent().catch(String)}`,
      );
      console.log(`chart: ${await app.page.getByTestId('freshness').textContent().catch(String)}`);
      const { effect, faults, recoveries } = app.core.chaos.status();
      console.log(`core at failure: ${JSON.stringify({ effect, faults, recoveries })}`);
      console.log(`kafka stats error: ${JSON.stringify(app.core.kafkaStats.current().error)}`);
    },
  },
);

const run = promisify(execFile);

const shot = (name: string) =>
  app.page.screenshot({ path: `${repoDir}test-results/screenshots/chaos-${name}.png`, fullPage: true });

/** The container's state as Docker itself reports it, independent of the app. */
async function dockerState(service: string): Promise<string> {
  const { stdout } = await run(stackEnv.docker, [
    'ps',
    '-a',
    '--filter',
    `label=com.docker.compose.project=${stackEnv.project}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
    '--format',
    '{{.State}}',
  ]);
  return stdout.trim();
}

const waitForValue = (selector: string, attr: string, op: '>' | '<' | '=', value: number, timeout: number) =>
  waitForNumber(app.page, selector, attr, op, value, timeout);

const value = (testId: string) => `[data-testid="${testId}"]`;
const recovered = (service: string) =>
  app.page
    .locator(`[data-testid="chaos-recovery"][data-service="${service}"][data-state="recovered"]`)
    .first();

async function expectRecovered(service: string, timeout: number): Promise<number> {
  await recovered(service).waitFor({ timeout });
  const ms = Number(await recovered(service).getAttribute('data-recovered-ms'));
  expect(await recovered(service).textContent()).toMatch(/recovered in \d+ s/);
  return ms;
}

describe('the Chaos panel in Chromium against the real stack', () => {
  it('the pipeline runs and the panel shows a healthy baseline', async () => {
    await startPipeline(app.page);
    await app.page.locator('[data-testid="brokers"][data-up="3"]').waitFor({ timeout: 60_000 });
    await waitForValue(value('chaos-under-replicated'), 'data-value', '=', 0, 60_000);
    await waitForValue(value('chaos-freshness'), 'data-value', '<', 5_000, 60_000);
    await waitForValue(value('chaos-lag'), 'data-seconds', '<', 3, 60_000);
    expect(await app.page.getByTestId('chaos-kill-broker').isEnabled()).toBe(true);
  });

  it('kill a broker: it shows down, partitions under-replicated, leaders moved off it; Undo recovers', async () => {
    // The broker that leads the most partitions, so leaders visibly have to move.
    const leads = await Promise.all(
      [1, 2, 3].map(async (b) =>
        Number(await app.page.getByTestId(`chaos-leaders-${b}`).getAttribute('data-value')),
      ),
    );
    const nodeId = leads.indexOf(Math.max(...leads)) + 1;
    const service = `kafka-${nodeId}`;
    expect(Math.max(...leads)).toBeGreaterThan(0);

    await app.page.getByLabel('Broker', { exact: true }).selectOption(service);
    await app.page.getByTestId('chaos-kill-broker').click();
    const killedAt = Date.now();
    await app.page
      .locator(`[data-testid="chaos-fault"][data-service="${service}"]`)
      .waitFor({ timeout: 15_000 });
    expect(await dockerState(service)).toBe('exited');
    // Only one broker at a time: the broker buttons are disabled while one is down.
    expect(await app.page.getByTestId('chaos-stop-broker').isDisabled()).toBe(true);

    await app.page
      .locator(`[data-testid="chaos-brokers"][data-down="${nodeId}"]`)
      .waitFor({ timeout: 60_000 });
    const under = await waitForValue(value('chaos-under-replicated'), 'data-value', '>', 0, 60_000);
    await waitForValue(value(`chaos-leaders-${nodeId}`), 'data-value', '=', 0, 60_000);
    await app.page.locator('[data-testid="brokers"][data-up="2"]').waitFor({ timeout: 30_000 });
    console.log(
      `${service} killed: ${under} partitions under-replicated, its ${leads[nodeId - 1]} leaderships moved, ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
    );
    await shot('1-broker-killed');

    await app.page.getByRole('button', { name: `Undo Kill broker ${service}`, exact: true }).click();
    await app.page
      .locator(`[data-testid="chaos-fault"][data-service="${service}"]`)
      .waitFor({ state: 'detached' });
    const ms = await expectRecovered(service, 120_000);
    expect(await app.page.getByTestId('chaos-under-replicated').getAttribute('data-value')).toBe('0');
    expect(await app.page.getByTestId('chaos-brokers').getAttribute('data-down')).toBe('');
    expect(await dockerState(service)).toBe('running');
    console.log(`${service} back: ISR full again ${(ms / 1000).toFixed(1)} s after Undo`);
  });

  it('freeze the active KRaft controller: the data stays fresh and every broker up while it is frozen; Undo recovers', async () => {
    const active = controllerService(await activeController());
    await app.page.getByLabel('Controller', { exact: true }).selectOption(active);
    await app.page.getByTestId('chaos-freeze-controller').click();
    await app.page
      .locator(`[data-testid="chaos-fault"][data-service="${active}"]`)
      .waitFor({ timeout: 15_000 });
    expect(await dockerState(active)).toBe('paused');
    // One controller at a time: a second would leave the quorum without a majority.
    expect(await app.page.getByTestId('chaos-freeze-controller').isDisabled()).toBe(true);
    // The controllers run apart from the brokers: no partition changes, the chart keeps getting
    // points. Sampled every second for 20 s of the freeze.
    let stalest = 0;
    for (let i = 0; i < 20; i++) {
      await app.page.waitForTimeout(1_000);
      stalest = Math.max(
        stalest,
        Number(await app.page.getByTestId('chaos-freshness').getAttribute('data-value')),
      );
      expect(await app.page.getByTestId('chaos-brokers').getAttribute('data-down')).toBe('');
    }
    expect(stalest).toBeLessThan(5_000);
    console.log(
      `${active} (the active controller) frozen 20 s: newest point at most ${stalest} ms old meanwhile`,
    );
    await shot('2-controller-frozen');

    await app.page.getByRole('button', { name: `Undo Freeze controller ${active}`, exact: true }).click();
    const ms = await expectRecovered(active, 60_000);
    expect(await dockerState(active)).toBe('running');
    console.log(`${active} unfrozen: recovered ${(ms / 1000).toFixed(1)} s after Undo`);
  });

  it('pause Telegraf: consumer lag grows; Undo lets it catch up', async () => {
    await app.page.getByTestId('chaos-pause-telegraf').click();
    await app.page
      .locator('[data-testid="chaos-fault"][data-service="telegraf"]')
      .waitFor({ timeout: 15_000 });
    expect(await dockerState('telegraf')).toBe('paused');
    const lag = await waitForValue(value('chaos-lag'), 'data-seconds', '>', 5, 60_000);
    const messages = Number(await app.page.getByTestId('chaos-lag').getAttribute('data-value'));
    expect(messages).toBeGreaterThan(100);
    console.log(`telegraf paused: lag ${messages} messages (~${lag.toFixed(1)} s)`);
    await shot('3-telegraf-paused');

    await app.page.getByRole('button', { name: 'Undo Pause Telegraf', exact: true }).click();
    const ms = await expectRecovered('telegraf', 90_000);
    expect(Number(await app.page.getByTestId('chaos-lag').getAttribute('data-seconds'))).toBeLessThanOrEqual(
      3,
    );
    expect(await dockerState('telegraf')).toBe('running');
    console.log(`telegraf resumed: lag back under 3 s and data fresh ${(ms / 1000).toFixed(1)} s after Undo`);
  });

  it('stop InfluxDB: the data ages on the app.page, the Telegraf card says what it holds; Undo brings fresh points back', async () => {
    await app.page.getByTestId('chaos-stop-influxdb').click();
    await app.page
      .locator('[data-testid="chaos-fault"][data-service="influxdb"]')
      .waitFor({ timeout: 30_000 });
    expect(await dockerState('influxdb')).toBe('exited');
    await waitForValue(value('chaos-freshness'), 'data-value', '>', 10_000, 60_000);
    // The chart's own freshness line ages too, although no update arrives while InfluxDB is down.
    await app.page
      .getByTestId('freshness')
      .filter({ hasText: /Last point \d{2,} s ago/ })
      .waitFor({ timeout: 10_000 });
    // Telegraf keeps what it read from Kafka and says so; the count is Telegraf's own, as its
    // metrics endpoint reports it.
    const note = app.page
      .getByTestId('note-telegraf')
      .filter({ hasText: /^Holding [\d,]+ points, waiting for InfluxDB\.$/ });
    await note.waitFor({ timeout: 15_000 });
    const held = Number(((await note.textContent()) ?? '').replace(/\D/g, ''));
    expect(held).toBeGreaterThan(0);
    const metrics = await (
      await fetch(`http://127.0.0.1:${process.env.TELEGRAF_METRICS_PORT}/metrics`)
    ).text();
    expect(metrics).toMatch(/^internal_write_buffer_size\{[^}]*alias="kafka_data"[^}]*\} [1-9]/m);
    await shot('4-influxdb-stopped');

    await app.page.getByRole('button', { name: 'Undo Stop InfluxDB', exact: true }).click();
    const ms = await expectRecovered('influxdb', 120_000);
    expect(Number(await app.page.getByTestId('chaos-freshness').getAttribute('data-value'))).toBeLessThan(
      5_000,
    );
    expect(await dockerState('influxdb')).toBe('running');
    await app.page
      .getByTestId('note-telegraf')
      .filter({ hasText: 'waiting for InfluxDB' })
      .waitFor({ state: 'detached', timeout: 30_000 });
    console.log(`influxdb back: fresh points on the app.page ${(ms / 1000).toFixed(1)} s after Undo`);
    expect(app.core.chaos.status().faults).toEqual([]);
  });
});
