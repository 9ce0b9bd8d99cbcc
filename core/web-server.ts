/**
 * Browser mode (npm run web): the same core as the desktop app, served with the built renderer
 * over HTTP on 127.0.0.1, for machines without a desktop. Prints the one link that logs in.
 *   WALKSTREAM_LOCAL_IMAGES=1   run the stack on locally built images (npm run images:local)
 *   WALKSTREAM_WEB_PORT=5174    fixed port (default: a free one)
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHttpTransport } from './api/http-transport';
import { createCore } from './create-core';

const repo = fileURLToPath(new URL('..', import.meta.url));

export function userSettingsPath(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'walkstream', 'settings.json');
}

async function main(): Promise<void> {
  const staticDir = join(repo, 'out', 'web');
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new Error('The renderer is not built: run `npm run web` (it builds first) or `npm run build:web`.');
  }
  const core = createCore({
    stackDir: join(repo, 'stack'),
    settingsPath: userSettingsPath(),
    extraComposeFiles:
      process.env.WALKSTREAM_LOCAL_IMAGES === '1'
        ? [join(repo, 'stack/local-images/compose.local.yaml')]
        : [],
  });
  const http = await startHttpTransport({
    router: core.router,
    hub: core.hub,
    staticDir,
    port: Number(process.env.WALKSTREAM_WEB_PORT ?? 0),
  });
  console.log(
    `Walkstream is running in browser mode. Open:\n\n  ${http.loginUrl}\n\n(Ctrl-C stops the producer and this server; the stack keeps running.)`,
  );
  const stop = async () => {
    await core.shutdown();
    await http.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(`walkstream web: ${(err as Error).message}`);
    process.exit(1);
  });
}
