// Bundles the producer CLI into one file with its dependencies (all pure JavaScript), so the
// Docker image needs only Node and this file.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('./src/cli.ts', import.meta.url).pathname],
  outfile: new URL('./dist/walkstream-producer.cjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
