/**
 * What every suite that drives the UI in a browser shares: Debian's Chromium through
 * playwright-core, and the core served over HTTP with the built renderer, as browser mode runs it.
 * Used by the e2e suites, the installed-app test and the app bench. Needs no stack itself.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type HttpTransport, startHttpTransport } from '../../core/api/http-transport';
import type { Core } from '../../core/create-core';

/** The renderer as `npm run build:web` leaves it. */
export const WEB_DIR = new URL('../../out/web', import.meta.url).pathname;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    // The suites run as root, where Chromium will not start with its sandbox; no GPU in a container;
    // no background requests of Chromium's own among the app's.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The core's API and the built renderer on a random 127.0.0.1 port; open `loginUrl` in a page. */
export async function serveApp(core: Pick<Core, 'router' | 'hub'>): Promise<HttpTransport> {
  if (!existsSync(`${WEB_DIR}/index.html`)) throw new Error('Build the renderer first: npm run build:web');
  return startHttpTransport({ router: core.router, hub: core.hub, staticDir: WEB_DIR });
}

/**
 * The app served for `core` and one page of it open in Chromium, logged in: what a suite driving
 * one tab needs. `close` closes the browser and the server; the core stays the caller's.
 */
export async function openAppPage(
  core: Pick<Core, 'router' | 'hub'>,
  viewport: { width: number; height: number },
): Promise<{ page: Page; close: () => Promise<void> }> {
  const http = await serveApp(core);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport });
    await page.goto(http.loginUrl);
    const opened = browser;
    const close = async () => {
      await opened.close();
      await http.close();
    };
    return { page, close };
  } catch (err) {
    await browser?.close();
    await http.close();
    throw err;
  }
}
