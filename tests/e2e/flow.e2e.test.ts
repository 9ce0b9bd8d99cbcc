/// <reference lib="dom" />
/**
 * The flow strip end to end: browser mode in Chromium against the real stack that
 * tests/stack/with-stack.sh brought up. With the pipeline running every hop shows flowing with a
 * measured latency; faults injected from the Chaos panel mark the hop they hit and the diagnosis
 * names it; after Undo the backlogs drain back to about nothing.
 *   bash tests/stack/with-stack.sh npx vitest run --project e2e tests/e2e/flow.e2e.test.ts
 * WALKSTREAM_UPDATE_SCREENSHOTS=1 writes the strip's pictures to docs/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLOW_HOPS } from '../../core/contract/data';
import { compose, repoDir, storedPerWalk, waitUntil } from '../stack/stack-env';
import { appPageSuite, startPipeline, waitForNumber } from './app-page-suite';

const app = appPageSuite(
  { width: 1400, height: 1100 },
  {
    restoreStack: true,
    // What the page and the core showed: the failure message alone says too little.
    onFailure: async (_testName) => {
      await app.page
        .screenshot({ path: `${repoDir}test-results/screenshots/flow-failed.png`, fullPage: true })
        .catch(() => {});
      console.log(`strip at failure: ${await stripText()}`);
      console.log(`core at failure: ${JSON.stringify(app.core.flow.status())}`);
    },
  },
);

const UPDATE_DOCS = process.env.WALKSTREAM_UPDATE_SCREENSHOTS === '1';

/** `forDocs`: one of the pictures in docs/screenshots, rewritten there only when asked to. */
async function shotStrip(name: string, forDocs = false): Promise<void> {
  const shotDir =
    forDocs && UPDATE_DOCS ? `${repoDir}docs/screenshots` : `${repoDir}test-results/screenshots`;
  mkdirSync(shotDir, { recursive: true });
  // The strip and the chart under it: the hop marks, the diagnosis and what the chart shows meanwhile.
  const strip = await app.page.getByTestId('flow-strip').boundingBox();
  const chart = await app.page.getByLabel('Live chart').boundingBox();
  if (!strip || !chart) throw new Error('the strip or the chart is not on the page');
  await app.page.screenshot({
    path: `${shotDir}/${name}.png`,
    clip: { x: 0, y: 0, width: 1400, height: chart.y + chart.height + 8 },
  });
}

const hop = (name: string) => app.page.getByTestId(`flow-hop-${name}`);
const hopState = async (name: string) => (await hop(name).getAttribute('data-state')) ?? '';
const diagnosis = (name: string) =>
  app.page.locator(`[data-testid="flow-diagnosis"][data-hop="${name}"]`).first();

const waitForValue = (selector: string, attr: string, op: '>' | '<' | '=', value: number, timeout: number) =>
  waitForNumber(app.page, selector, attr, op, value, timeout);

/** Every hop in one of `states` at the same moment. */
async function waitForAllHops(states: string[], timeout: number): Promise<void> {
  await app.page.waitForFunction(
    ([hops, wanted]) =>
      (hops as readonly string[]).every((h) =>
        (wanted as readonly string[]).includes(
          document.querySelector(`[data-testid="flow-hop-${h}"]`)?.getAttribute('data-state') ?? '',
        ),
      ),
    [FLOW_HOPS, states] as const,
    { timeout, polling: 250 },
  );
}

/**
 * Backlogs back to about nothing. Between Kafka and Telegraf that is under two seconds of data: the
 * producer's acknowledged count and Telegraf's consumed count are each read once a second at their
 * source, so a pipeline with nothing waiting still shows about a second there (at 100 points/s a
 * healthy run sat at 100 points, 1.0 s). The other two compare counts read together: under one.
 */
async function waitForDrained(timeout: number): Promise<void> {
  await waitForValue('[data-testid="flow-backlog-kafka"]', 'data-seconds', '<', 2, timeout);
  await waitForValue('[data-testid="flow-backlog-telegraf"]', 'data-seconds', '<', 1, timeout);
  await waitForValue('[data-testid="flow-backlog-producer"]', 'data-seconds', '<', 1, timeout);
}

const stripText = async () =>
  (
    await app.page
      .locator('.flow-hops > li, .flow-latency, .flow-diagnosis')
      .allTextContents()
      .catch((e) => [String(e)])
  ).join(' | ');

describe('the flow strip in Chromium against the real stack', () => {
  it('with the pipeline running, every hop flows and the latency is measured', async () => {
    await startPipeline(app.page);
    await waitForAllHops(['flowing'], 120_000);
    const samples = await waitForValue('[data-testid="flow-latency"]', 'data-samples', '>', 100, 60_000);
    const p50 = Number(await app.page.getByTestId('flow-latency').getAttribute('data-p50'));
    const p99 = Number(await app.page.getByTestId('flow-latency').getAttribute('data-p99'));
    expect(p50).toBeGreaterThan(0);
    expect(p99).toBeGreaterThanOrEqual(p50);
    expect(await app.page.getByTestId('flow-latency').textContent()).toMatch(/p50 [\d.]+ s · p99 [\d.]+ s/);
    for (const h of ['producer', 'kafka', 'telegraf', 'influxdb'])
      expect(await app.page.getByTestId(`flow-rate-${h}`).textContent()).toMatch(/^[\d,.]+ pts\/s$/);
    await waitForDrained(60_000);
    expect(await app.page.getByTestId('flow-diagnosis').count()).toBe(0);
    console.log(`flowing: p50 ${p50} ms, p99 ${p99} ms over ${samples} points; strip: ${await stripText()}`);
    await shotStrip('flow-normal', true);
  });

  it('a broker killed: the Kafka hop is marked within 5 s and the diagnosis names the broker; Undo brings it back', async () => {
    const broker = 'kafka-3';
    await app.page.getByLabel('Broker', { exact: true }).selectOption(broker);
    await app.page.getByTestId('chaos-kill-broker').click();
    await app.page
      .locator(`[data-testid="chaos-fault"][data-service="${broker}"]`)
      .waitFor({ timeout: 30_000 });
    const killedAt = Date.now();
    // Degraded once leaders have moved; stalled or down for a moment while they move.
    const marked = ['degraded', 'stalled', 'down']
      .map((st) => `[data-testid="flow-hop-kafka"][data-state="${st}"][data-fault="kill-broker"]`)
      .join(', ');
    await app.page.locator(marked).first().waitFor({ timeout: 5_000 });
    const markedAt = Date.now();
    // At once, whatever the rule that speaks first: the broker, what happened to it, and the remedy.
    const named = diagnosis('kafka').filter({
      hasText: /kafka-3 exited with code 137 \(killed with SIGKILL\)/,
    });
    await named.waitFor({ timeout: 5_000 });
    const first = (await named.textContent()) ?? '';
    expect(first).toMatch(/→ Undo “Kill broker kafka-3” in the Chaos panel$/);
    // Then, once the app's Kafka client has moved to the brokers left: Kafka works on two of three.
    const settled = diagnosis('kafka').filter({ hasText: /^Kafka runs on 2 of 3 brokers/ });
    await settled.waitFor({ timeout: 60_000 });
    const settledAt = Date.now();
    const text = (await settled.textContent()) ?? '';
    expect(text).toMatch(
      /^Kafka runs on 2 of 3 brokers: kafka-3 exited with code 137 \(killed with SIGKILL\)/,
    );
    expect(text).toMatch(/→ Undo “Kill broker kafka-3” in the Chaos panel$/);
    expect(await hopState('kafka')).toBe('degraded');
    // Two brokers still take every write (min ISR 2): the hops after Kafka keep flowing.
    await waitForValue('[data-testid="flow-backlog-producer"]', 'data-seconds', '<', 1, 30_000);
    console.log(
      `${broker} killed: Kafka hop marked ${((markedAt - killedAt) / 1000).toFixed(1)} s after the kill (${first}); ${((settledAt - killedAt) / 1000).toFixed(1)} s after: ${text}`,
    );
    await shotStrip('flow-broker-killed');

    await app.page.getByRole('button', { name: `Undo Kill broker ${broker}`, exact: true }).click();
    await app.page
      .locator(`[data-testid="chaos-fault"][data-service="${broker}"]`)
      .waitFor({ state: 'detached', timeout: 120_000 });
    await waitForAllHops(['flowing'], 120_000);
    await waitForDrained(90_000);
    await diagnosis('kafka').waitFor({ state: 'detached', timeout: 60_000 });
    // The broker has rejoined the cluster, not only restarted.
    await hop('kafka').getByText('3 up', { exact: true }).waitFor({ timeout: 120_000 });
    expect(await hop('kafka').getAttribute('data-fault')).toBe('');
    // Back in every ISR too: a broker still catching up slows acks=all writes for a few seconds
    // (seen on a loaded machine), which the next test would take for its own fault.
    await waitForValue('[data-testid="chaos-under-replicated"]', 'data-value', '=', 0, 120_000);
    await waitForAllHops(['flowing'], 120_000);
    await waitForDrained(90_000);
    console.log(`${broker} back, backlogs drained: ${await stripText()}`);
  });

  it('Telegraf paused: its hop is marked within 5 s and the diagnosis names it; Undo drains the backlog', async () => {
    // From a flowing pipeline: a stall left over from before must not pass for this fault's mark.
    await waitForAllHops(['flowing'], 120_000);
    await waitForDrained(90_000);
    const clickedAt = Date.now();
    await app.page.getByTestId('chaos-pause-telegraf').click();
    // From the moment the container is paused (the fault is listed), not from the click: the
    // pause itself may take a while on a loaded machine.
    await app.page
      .locator('[data-testid="chaos-fault"][data-service="telegraf"]')
      .waitFor({ timeout: 30_000 });
    const pausedAt = Date.now();
    await app.page
      .locator(
        '[data-testid="flow-hop-telegraf"][data-fault="pause-telegraf"]:is([data-state="down"], [data-state="stalled"])',
      )
      .waitFor({ timeout: 5_000 });
    const markedAt = Date.now();
    await diagnosis('telegraf').waitFor({ timeout: 5_000 });
    expect(await diagnosis('telegraf').textContent()).toMatch(
      /^Telegraf is not consuming: its container is paused/,
    );
    expect(await diagnosis('telegraf').getAttribute('data-severity')).toBe('bad');
    // Kafka keeps taking the data; what waits for Telegraf grows there.
    expect(await hopState('kafka')).toBe('flowing');
    // Held long enough to be a real stall: over 5 s of data waiting for Telegraf.
    const backlog = await waitForValue('[data-testid="flow-backlog-kafka"]', 'data-seconds', '>', 5, 60_000);
    console.log(
      `telegraf paused: marked ${((markedAt - pausedAt) / 1000).toFixed(1)} s after the pause (${((markedAt - clickedAt) / 1000).toFixed(1)} s after the click); ${backlog.toFixed(1)} s of data waiting in Kafka; ${await diagnosis('telegraf').textContent()}`,
    );
    await shotStrip('flow-telegraf-paused');

    await app.page.getByRole('button', { name: 'Undo Pause Telegraf', exact: true }).click();
    await waitForAllHops(['flowing'], 90_000);
    await waitForDrained(90_000);
    expect(await app.page.locator('[data-testid="flow-diagnosis"][data-severity="bad"]').count()).toBe(0);
    console.log(`telegraf resumed, backlogs drained: ${await stripText()}`);
  });

  it('InfluxDB stopped: its hop is marked and the diagnosis says how many points Telegraf holds; Undo drains', async () => {
    await app.page.getByTestId('chaos-stop-influxdb').click();
    await app.page
      .locator('[data-testid="chaos-fault"][data-service="influxdb"]')
      .waitFor({ timeout: 60_000 });
    await app.page
      .locator('[data-testid="flow-hop-influxdb"][data-state="down"]')
      .waitFor({ timeout: 10_000 });
    expect(await hop('influxdb').getAttribute('data-fault')).toBe('stop-influxdb');
    // Telegraf's buffer fills while it cannot write: the diagnosis gives its own count.
    await waitForValue('[data-testid="flow-backlog-telegraf"]', 'data-seconds', '>', 5, 60_000);
    const held = diagnosis('influxdb').filter({ hasText: /Telegraf holds [\d,]+ points, waiting/ });
    await held.waitFor({ timeout: 10_000 });
    const text = (await held.textContent()) ?? '';
    expect(text).toMatch(/^InfluxDB is stopped: its container exited/);
    expect(text).toMatch(/→ Undo “Stop InfluxDB” in the Chaos panel$/);
    const n = Number(/Telegraf holds ([\d,]+) points/.exec(text)?.[1]?.replace(/,/g, ''));
    expect(n).toBeGreaterThan(0);
    expect(
      Number(await app.page.getByTestId('flow-backlog-telegraf').getAttribute('data-points')),
    ).toBeGreaterThan(0);
    await app.page
      .locator('[data-testid="flow-hop-chart"][data-state="waiting"]')
      .waitFor({ timeout: 15_000 });
    console.log(`influxdb stopped: ${text}`);
    await shotStrip('flow-stalled', true);

    await app.page.getByRole('button', { name: 'Undo Stop InfluxDB', exact: true }).click();
    await waitForAllHops(['flowing'], 180_000);
    await waitForDrained(120_000);
    expect(await app.page.locator('[data-testid="flow-diagnosis"][data-severity="bad"]').count()).toBe(0);
    expect(app.core.chaos.status().faults).toEqual([]);
    console.log(`influxdb back, backlogs drained: ${await stripText()}`);
  });
  it('two brokers stopped: the Kafka hop is marked within 5 s and the diagnosis names both; starting them brings it back', async () => {
    // The Chaos panel takes down one broker at a time; the second goes as a user might stop it,
    // from its service card.
    await app.page.getByLabel('Broker', { exact: true }).selectOption('kafka-2');
    await app.page.getByTestId('chaos-stop-broker').click();
    await app.page
      .locator('[data-testid="chaos-fault"][data-service="kafka-2"]')
      .waitFor({ timeout: 90_000 });
    await app.core.stack.stopService('kafka-3');
    const stoppedAt = Date.now();
    // One broker left: below min.insync.replicas, so nothing is acknowledged any more.
    const marked = ['stalled', 'down']
      .map((st) => `[data-testid="flow-hop-kafka"][data-state="${st}"]`)
      .join(', ');
    await app.page.locator(marked).first().waitFor({ timeout: 5_000 });
    const markedAt = Date.now();
    const named = diagnosis('kafka')
      .filter({ hasText: /kafka-2/ })
      .filter({ hasText: /kafka-3/ });
    await named.waitFor({ timeout: 5_000 });
    const text = (await named.textContent()) ?? '';
    expect(await named.getAttribute('data-severity')).toBe('bad');
    console.log(
      `two brokers stopped: Kafka hop marked ${((markedAt - stoppedAt) / 1000).toFixed(1)} s after the second stop; ${text}`,
    );
    await shotStrip('flow-two-brokers-stopped');

    await app.core.stack.startService('kafka-3');
    await app.page.getByRole('button', { name: 'Undo Stop broker kafka-2', exact: true }).click();
    await waitForAllHops(['flowing'], 180_000);
    await waitForDrained(180_000);
    await diagnosis('kafka').waitFor({ state: 'detached', timeout: 60_000 });
    console.log(`brokers back, backlogs drained: ${await stripText()}`);
  });

  it('Telegraf killed: its hop is marked down within 5 s and the diagnosis gives the exit; started again it drains', async () => {
    await compose('kill', '--signal', 'KILL', 'telegraf');
    const killedAt = Date.now();
    await app.page
      .locator('[data-testid="flow-hop-telegraf"][data-state="down"]')
      .waitFor({ timeout: 5_000 });
    const markedAt = Date.now();
    const named = diagnosis('telegraf').filter({
      hasText: /^Telegraf is not consuming: .*exited with code 137/,
    });
    await named.waitFor({ timeout: 5_000 });
    const text = (await named.textContent()) ?? '';
    console.log(
      `telegraf killed: marked ${((markedAt - killedAt) / 1000).toFixed(1)} s after the kill; ${text}`,
    );

    await app.core.stack.startService('telegraf');
    await waitForAllHops(['flowing'], 120_000);
    await waitForDrained(120_000);
    await diagnosis('telegraf').waitFor({ state: 'detached', timeout: 60_000 });
  });

  it('the producer asked for more than the pipeline takes: the producer hop is marked within 5 s and the diagnosis says so', async () => {
    const before = app.core.producer.status().params;
    // 1 000 000 points/s: more than one process generates, Kafka takes and Telegraf consumes here.
    const setAt = Date.now();
    // Few walks, so the points go in large messages and the backlog drains quickly after.
    await app.core.router.call('producer:setParams', { walks: 1_000, rate: 1_000 });
    try {
      const marked = ['stalled', 'degraded', 'down']
        .map((st) => `[data-testid="flow-hop-producer"][data-state="${st}"]`)
        .join(', ');
      await app.page.locator(marked).first().waitFor({ timeout: 5_000 });
      const markedAt = Date.now();
      const named = diagnosis('producer').filter({ hasText: /^Producer (is behind schedule by|skipped)/ });
      await named.waitFor({ timeout: 5_000 });
      const text = (await named.textContent()) ?? '';
      console.log(
        `overloaded: producer hop marked ${((markedAt - setAt) / 1000).toFixed(1)} s after the change; ${text}`,
      );
      await shotStrip('flow-producer-overloaded');
    } finally {
      await app.core.router.call('producer:setParams', { walks: before.walks, rate: before.rate });
    }
    await waitForAllHops(['flowing'], 180_000);
    await waitForDrained(180_000);
  });

  it('after every fault: what Kafka acknowledged is exactly what InfluxDB holds, by walk and seq', async () => {
    const runStart = app.core.producer.status().startedAt;
    if (runStart === null) throw new Error('the producer has no run start');
    // The producer alone: a normal stop flushes what it holds, and the stack stays up to be read.
    const stopped = await app.core.router.call('producer:stop', undefined);
    expect(stopped.ok).toBe(true);
    const acked = app.core.producer.status().metrics?.pointsProduced ?? Number.NaN;
    const walks = await waitUntil(
      `InfluxDB holds the ${acked} acknowledged points of this run`,
      () => storedPerWalk('w', new Date(runStart).toISOString()),
      (ws) => ws.reduce((a, w) => a + w.count, 0) >= acked,
      180_000,
      1_000,
    );
    const total = walks.reduce((a, w) => a + w.count, 0);
    const broken = walks.filter((w) => w.count !== w.distinct || w.min !== 0 || w.max !== w.count - 1);
    expect(broken.slice(0, 5)).toEqual([]);
    expect(total).toBe(acked);
    console.log(
      `after every fault: ${acked} points acknowledged, ${total} stored over ${walks.length} walks, each seq 0..n−1 once`,
    );
  });
});
