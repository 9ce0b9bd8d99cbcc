/**
 * The installed desktop app's core, as the Electron main process builds it (desktopCoreOptions,
 * with the paths Electron would give), served over HTTP so Chromium can drive it: the Electron
 * binary cannot run here. Run as the test's normal user:
 *   node --import tsx tests/installed/installed-app-main.ts <install folder>
 * Prints one JSON line {"loginUrl": ...} once it listens; SIGTERM shuts it down like a quit.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startHttpTransport } from '../../core/api/http-transport';
import { createCore } from '../../core/create-core';
import { desktopCoreOptions } from '../../electron/core-options';

async function main(installDir: string): Promise<void> {
  const resourcesPath = join(installDir, 'resources');
  // Electron's userData on Linux: $XDG_CONFIG_HOME or ~/.config, then the product name.
  const userData = join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'Walkstream');
  const core = createCore(
    desktopCoreOptions({
      isPackaged: true,
      resourcesPath,
      checkoutDir: '/nonexistent',
      userData,
      appVersion: readFileSync(join(resourcesPath, 'app-version'), 'utf8').trim(),
    }),
  );
  const http = await startHttpTransport({
    router: core.router,
    hub: core.hub,
    staticDir: join(resourcesPath, 'web'),
  });
  console.log(JSON.stringify({ loginUrl: http.loginUrl, userData }));
  process.once('SIGTERM', async () => {
    await core.shutdown();
    await http.close();
    process.exit(0);
  });
}

const installDir = process.argv[2];
if (!installDir) throw new Error('usage: installed-app-main <install folder>');
main(installDir).catch((err) => {
  console.error(err);
  process.exit(1);
});
