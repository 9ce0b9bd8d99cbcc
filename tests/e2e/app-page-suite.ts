/// <reference lib="dom" />
/**
 * What a suite driving the app in one Chromium page against the test stack registers: a test core
 * and the page before its tests; afterwards (when it injected faults) every service brought back
 * through the core, then the page and the core closed. On a failed test, `onFailure` says what the
 * page and the core showed: the failure message alone says too little.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Core } from '../../core/create-core';
import { createTestCore, restoreThroughCore } from '../stack/stack-env';
import { openAppPage } from './browser-harness';

export interface AppPageSuite {
  readonly core: Core;
  readonly page: Page;
}

export function appPageSuite(
  viewport: { width: number; height: number },
  options: { restoreStack?: boolean; onFailure?: (testName: string) => Promise<void> } = {},
): AppPageSuite {
  let opened: { core: Core; page: Page } | undefined;
  let dispose: (() => Promise<void>) | undefined;
  let closeApp: (() => Promise<void>) | undefined;
  const suite: AppPageSuite = {
    get core() {
      if (!opened) throw new Error('the app page suite is not open yet (use it inside tests)');
      return opened.core;
    },
    get page() {
      if (!opened) throw new Error('the app page suite is not open yet (use it inside tests)');
      return opened.page;
    },
  };

  beforeAll(async () => {
    const test = createTestCore();
    dispose = test.dispose;
    const app = await openAppPage(test.core, viewport);
    closeApp = app.close;
    opened = { core: test.core, page: app.page };
  });

  afterAll(async () => {
    if (options.restoreStack && opened) await restoreThroughCore(opened.core);
    await closeApp?.();
    await dispose?.();
  });

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail' || !opened || !options.onFailure) return;
    await options.onFailure(task.name);
  });

  return suite;
}

/**
 * Clicks Start pipeline once the bar is ready and waits until the producer runs; the stack may be
 * up already (with-stack.sh) or down (another suite stopped it).
 */
export async function startPipeline(page: Page): Promise<void> {
  await page.locator('[data-testid="pipeline-bar"][data-ready="true"]').waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Start pipeline' }).click();
  await page.getByTestId('pipeline-state').filter({ hasText: 'producing' }).waitFor({ timeout: 200_000 });
}

/**
 * Waits until a numeric data attribute on the page satisfies `op value` and returns it: a probe,
 * not a sleep.
 */
export async function waitForNumber(
  page: Page,
  selector: string,
  attr: string,
  op: '>' | '<' | '=',
  value: number,
  timeout: number,
): Promise<number> {
  const handle = await page.waitForFunction(
    ([sel, a, o, v]) => {
      const raw = document.querySelector(sel as string)?.getAttribute(a as string);
      if (raw === null || raw === undefined || raw === '') return false;
      const n = Number(raw);
      const ok = o === '>' ? n > (v as number) : o === '<' ? n < (v as number) : n === v;
      return ok ? { n } : false; // an object: a bare 0 would read as "not yet"
    },
    [selector, attr, op, value] as const,
    { timeout, polling: 250 },
  );
  return ((await handle.jsonValue()) as { n: number }).n;
}
