/**
 * npm run dashboards        — writes the dashboards' JSON into stack/grafana/dashboards/.
 * npm run dashboards:check  — fails if the committed JSON differs from what the code generates.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pipelineHealthDashboard } from './pipeline-health.dashboard';
import { randomWalksDashboard } from './random-walks.dashboard';

export const DASHBOARDS = {
  'random-walks.json': randomWalksDashboard,
  'pipeline-health.json': pipelineHealthDashboard,
};

const outDir = fileURLToPath(new URL('../dashboards/', import.meta.url));

export function renderDashboards(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(DASHBOARDS).map(([file, build]) => [file, `${JSON.stringify(build(), null, 2)}\n`]),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, json] of Object.entries(renderDashboards())) {
    const path = `${outDir}${file}`;
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {}
      if (current !== json) {
        stale++;
        console.error(
          `stack/grafana/dashboards/${file} is out of date: run npm run dashboards and commit it.`,
        );
      }
    } else {
      writeFileSync(path, json);
      console.log(`wrote stack/grafana/dashboards/${file}`);
    }
  }
  process.exitCode = stale > 0 ? 1 : 0;
}
