/**
 * Which URLs the Electron shell trusts. Pure (no Electron import) so the guards are unit-tested.
 * URLs are parsed and compared by part, never by prefix: `http://localhost:5173.evil.com`
 * starts with `http://localhost:5173`, and `file:///tmp/renderer/x.html` contains `/renderer/`.
 */

/** Where the app's own page is loaded from. */
export interface AppLocation {
  /** The dev server (electron-vite's ELECTRON_RENDERER_URL); unset in a built app. */
  devServerUrl?: string | undefined;
  /** The file:// URL of the built renderer's index.html. */
  rendererFileUrl: string;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * The app's own page: same origin as the dev server in development, else exactly the built
 * index.html (any query or fragment). Decides both navigation and which frames may call the API.
 */
export function isAppUrl(url: string, app: AppLocation): boolean {
  const u = parse(url);
  if (!u) return false;
  if (app.devServerUrl) {
    const dev = parse(app.devServerUrl);
    // An opaque origin ("null", e.g. data: or file:) never equals a dev server's origin.
    return dev !== null && u.origin !== 'null' && u.origin === dev.origin;
  }
  const index = parse(app.rendererFileUrl);
  return (
    index !== null &&
    u.protocol === 'file:' &&
    index.protocol === 'file:' &&
    u.host === index.host &&
    u.pathname === index.pathname
  );
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1']);

/**
 * The stack's own web UIs (Grafana, Kafka UI, InfluxDB) on this machine: plain http on a loopback
 * host with an explicit port and no credentials. Only these open, in the system browser.
 */
export function isStackLink(url: string): boolean {
  const u = parse(url);
  return (
    u !== null &&
    u.protocol === 'http:' &&
    LOOPBACK_HOSTS.has(u.hostname) &&
    u.port !== '' &&
    u.username === '' &&
    u.password === ''
  );
}
