/// <reference lib="dom" />
/**
 * A frozen broker in the Kafka panel, end to end: browser mode (the real core over HTTP) in
 * Debian's Chromium against the real stack. Freeze broker from the Chaos panel must show that
 * broker as not responding within a few seconds — not "up", though the cluster still lists it —
 * with what the producer has queued per broker; Undo must show it answering again.
 */
import { describe, expect, it } from 'vitest';
import { repoDir } from '../stack/stack-env';
import { appPageSuite, startPipeline } from './app-page-suite';

const app = appPageSuite(
  { width: 1400, height: 1200 },
  {
    restoreStack: true,
    onFailure: async () => {
      await shot('failed').catch(() => {});
      console.log(
        `Kafka panel at failure:\n${await app.page.getByRole('region', { name: 'Kafka' }).textContent().catch(String)}`,
      );
      console.log(`core brokers: ${JSON.stringify(app.core.kafkaStats.current().brokers)}`);
    },
  },
);

const shot = (name: string) =>
  app.page.screenshot({
    path: `${repoDir}test-results/screenshots/broker-probe-${name}.png`,
    fullPage: true,
  });

const broker = (nodeId: number, state: string) =>
  app.page.locator(`[data-testid="broker-${nodeId}"][data-state="${state}"]`);

describe('the Kafka panel in Chromium with a frozen broker', () => {
  it('the pipeline runs and every broker answers the probe', async () => {
    await startPipeline(app.page);
    for (const nodeId of [1, 2, 3]) await broker(nodeId, 'answering').waitFor({ timeout: 60_000 });
    await app.page.getByTestId('queued-by-broker').waitFor({ timeout: 30_000 });
    expect(await app.page.getByTestId('queued-by-broker').textContent()).toMatch(
      /^Producer queued: kafka-1 [\d,]+ · kafka-2 [\d,]+ · kafka-3 [\d,]+/,
    );
  });

  it('Freeze broker: the panel shows it not responding within a few seconds; Undo: answering again', async () => {
    // Enough walks that every partition has points to hold.
    const set = await app.core.router.call('producer:setParams', { walks: 60, rate: 10 });
    expect(set.ok).toBe(true);
    // The broker that leads the most partitions now: leadership moves with the faults of the suites
    // before this one, and a broker leading none would hold no points while frozen.
    const led = new Map<number, number>();
    for (const p of app.core.kafkaStats.current().partitions)
      if (p.leader > 0) led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
    const id = [...led].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 2;
    const name = `kafka-${id}`;
    console.log(`freezing ${name}, which leads ${led.get(id) ?? 0} of the topic's partitions`);
    await app.page.getByLabel('Broker', { exact: true }).selectOption(name);
    await app.page.getByTestId('chaos-freeze-broker').click();
    const frozenAt = Date.now();
    // Watched from the click: the points wait on the frozen broker only until the cluster fences it and moves
    // its partitions (broker.session.timeout.ms, 9 s), which may come before the checks below end.
    const queuedOnFrozen = app.page
      .getByTestId('queued-by-broker')
      .filter({ hasText: new RegExp(`${name} [1-9]`) })
      .waitFor({ timeout: 15_000 })
      .then(async () => `${await app.page.getByTestId('queued-by-broker').textContent()}`);
    queuedOnFrozen.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
    await broker(id, 'not-responding').waitFor({ timeout: 10_000 });
    const shownMs = Date.now() - frozenAt;
    console.log(`${name} shown as not responding ${shownMs} ms after Freeze broker was clicked`);
    expect(shownMs).toBeLessThan(6_000);
    // The duration counts up while it lasts.
    await app.page
      .getByTestId(`broker-${id}`)
      .filter({
        hasText: new RegExp(`^${name} not responding for [3-9] s \\(accepts connections, answers nothing\\)`),
      })
      .waitFor({ timeout: 10_000 });
    expect(await app.page.getByTestId('brokers').getAttribute('data-up')).toBe('2');
    // What waits on it is named: its partitions' points stay queued while it answers nothing.
    console.log(`while frozen: ${await queuedOnFrozen}`);
    await shot('frozen');

    await app.page.getByRole('button', { name: `Undo Freeze broker ${name}`, exact: true }).click();
    const undoneAt = Date.now();
    await broker(id, 'answering').waitFor({ timeout: 15_000 });
    console.log(`${name} answering ${Date.now() - undoneAt} ms after Undo`);
    await app.page.locator('[data-testid="brokers"][data-up="3"]').waitFor({ timeout: 30_000 });
  });
});
