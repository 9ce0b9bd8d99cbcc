/**
 * npm run dashboards        — writes the dashboards' JSON into stack/grafana/dashboards/ and the
 *                             alert rules into stack/grafana/provisioning/alerting/.
 * npm run dashboards:check  — fails if the committed files differ from what the code generates.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alertProvisioning } from './alert-rules';
import { pipelineHealthDashboard } from './pipeline-health.dashboard';
import { randomWalksDashboard } from './random-walks.dashboard';

export const DASHBOARDS = {
  'random-walks.json': randomWalksDashboard,
  'pipeline-health.json': pipelineHealthDashboard,
};

const grafanaDir = fileURLToPath(new URL('../', import.meta.url));

export function renderDashboards(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(DASHBOARDS).map(([file, build]) => [file, `${JSON.stringify(build(), null, 2)}\n`]),
  );
}

/** Every generated file, by its path under stack/grafana/. */
function renderAll(): Record<string, string> {
  return {
    ...Object.fromEntries(Object.entries(renderDashboards()).map(([f, json]) => [`dashboards/${f}`, json])),
    'provisioning/alerting/walkstream.yaml': alertProvisioning(),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, json] of Object.entries(renderAll())) {
    const path = `${grafanaDir}${file}`;
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {}
      if (current !== json) {
        stale++;
        console.error(`stack/grafana/${file} is out of date: run npm run dashboards and commit it.`);
      }
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, json);
      console.log(`wrote stack/grafana/${file}`);
    }
  }
  process.exitCode = stale > 0 ? 1 : 0;
}
