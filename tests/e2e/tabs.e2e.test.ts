/// <reference lib="dom" />
/**
 * Several tabs of browser mode at once, in Debian's Chromium. Chromium allows six connections per
 * host, and an open event stream holds one for as long as the page lives: a page that opened a
 * stream per subscription left the third tab unable to load anything. Each page now holds one.
 * Needs only the core, not the stack: the core runs on a throw-away copy of stack/ and a project
 * name of its own, so it neither touches the stack folder nor sees a running stack.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpTransport } from '../../core/api/http-transport';
import type { ProducerStatus } from '../../core/contract/data';
import { type Core, createCore } from '../../core/create-core';
import { launchBrowser, serveApp } from './browser-harness';

const TABS = 4;
const repoDir = new URL('../../', import.meta.url).pathname;
const workDir = mkdtempSync(`${tmpdir()}/walkstream-tabs-`);
let core: Core;
let http: HttpTransport;
let browser: Browser;
let context: BrowserContext;
let pages: Page[] = [];
/** Event streams the server holds open right now: one per page is the point of this suite. */
let openStreams = 0;

beforeAll(async () => {
  cpSync(`${repoDir}stack`, `${workDir}/stack`, { recursive: true });
  core = createCore({
    stackDir: `${workDir}/stack`,
    settingsPath: `${workDir}/settings.json`,
    envFile: `${workDir}/stack/.env.example`,
    project: `wstabs${Date.now().toString(36)}`,
  });
  const subscribeAll = core.hub.subscribeAll.bind(core.hub);
  core.hub.subscribeAll = (listener) => {
    openStreams++;
    const off = subscribeAll(listener);
    return () => {
      openStreams--;
      off();
    };
  };
  http = await serveApp(core);
  browser = await launchBrowser();
  // One context: its tabs share the cookie and, as a user's tabs do, the per-host connection limit.
  context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await http?.close();
  await core?.shutdown();
  rmSync(workDir, { recursive: true, force: true });
});

/** A producer status with a points/s figure no real producer here would report. */
function marked(pointsPerSecond: number): ProducerStatus {
  return {
    ...core.producer.status(),
    state: 'running',
    metrics: {
      pointsGenerated: 0,
      pointsProduced: 0,
      pointsPerSecond,
      sendLatencyMs: null,
      errors: 0,
      lastError: null,
      lagMs: 0,
      ticksSkipped: 0,
      queuedPoints: 0,
      queuedByPartition: [],
      at: 0,
    },
  };
}

/** Publishes until every tab shows the mark: a tab's stream may still be connecting. */
async function everyTabShows(pointsPerSecond: number): Promise<void> {
  const timer = setInterval(() => core.hub.publish('producer:status', marked(pointsPerSecond)), 200);
  try {
    await Promise.all(
      pages.map((page) =>
        page
          .getByTestId('producer-stats')
          .filter({ hasText: new RegExp(`Points/s\\s*${pointsPerSecond}(?!\\d)`) })
          .waitFor({ timeout: 20_000 }),
      ),
    );
  } finally {
    clearInterval(timer);
  }
}

describe(`${TABS} tabs of browser mode at once`, () => {
  it('every tab loads', async () => {
    pages = await Promise.all(Array.from({ length: TABS }, () => context.newPage()));
    // One after the other, as a user opens them, each keeping its stream open.
    for (const page of pages) {
      await page.goto(http.loginUrl);
      await page.locator('[data-testid="pipeline-bar"][data-ready="true"]').waitFor({ timeout: 20_000 });
    }
  });

  it('each tab holds one event stream, whatever it subscribes to', async () => {
    await expect.poll(() => openStreams, { timeout: 10_000 }).toBe(TABS);
  });

  it('an event the core pushes reaches every tab, and so does the next one', async () => {
    await everyTabShows(777);
    await everyTabShows(888);
  });

  it('a closed tab gives its stream back', async () => {
    await pages.pop()?.close();
    await expect.poll(() => openStreams, { timeout: 10_000 }).toBe(TABS - 1);
    await everyTabShows(999);
  });
});
