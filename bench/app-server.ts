/**
 * The app core in browser mode as its own process, wired to the stack that
 * tests/stack/with-stack.sh brought up (like the e2e suite's core), so the app bench can measure
 * this process alone. Prints one JSON line {loginUrl, url, token}; SIGTERM shuts it down.
 * Started by bench/lib/app-bench.ts as `node --import tsx bench/app-server.ts`.
 */
import { serveApp } from '../tests/e2e/browser-harness';
import { createTestCore } from '../tests/stack/stack-env';

async function main(): Promise<void> {
  const { core, dispose } = createTestCore();
  const http = await serveApp(core);
  console.log(JSON.stringify({ loginUrl: http.loginUrl, url: http.url, token: http.token }));
  const stop = async () => {
    await dispose();
    await http.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
