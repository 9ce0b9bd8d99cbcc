import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syncRuntimeStack } from './runtime-stack';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) {
    chmodTree(d, 0o755, 0o644);
    rmSync(d, { recursive: true, force: true });
  }
});

function chmodTree(path: string, dirMode: number, fileMode: number): void {
  if (statSync(path).isDirectory()) {
    chmodSync(path, dirMode);
    for (const name of readdirSync(path)) chmodTree(join(path, name), dirMode, fileMode);
  } else chmodSync(path, fileMode);
}

/** An install folder as a package leaves it: read-only, with a space in its path. */
function installFolder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ws install '));
  dirs.push(root);
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), body);
  }
  chmodTree(root, 0o555, 0o444);
  return root;
}

function userFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'ws user data '));
  dirs.push(root);
  return join(root, 'Walkstream', 'stack');
}

const FILES = {
  'compose.yaml': 'services: {}\n',
  '.env.example': 'A=1\n',
  'telegraf/telegraf.conf': '[agent]\n',
  'grafana/provisioning/datasources/influxdb.yaml': 'apiVersion: 1\n',
  'grafana/dashboards/random-walks.json': '{}\n',
  'grafana/dashboards-src/generate.ts': 'developer only\n',
  'headless.sh': 'developer only\n',
};

describe('syncRuntimeStack', () => {
  it('lays the run-time files into the user folder, readable by containers, and leaves developer files out', () => {
    const source = installFolder(FILES);
    const stackDir = userFolder();
    const sync = syncRuntimeStack({ sourceDir: source, stackDir, appVersion: '1.0.0' });
    expect(sync.previousVersion).toBeNull();
    expect(readFileSync(join(stackDir, 'telegraf/telegraf.conf'), 'utf8')).toBe('[agent]\n');
    expect(readFileSync(join(stackDir, 'grafana/provisioning/datasources/influxdb.yaml'), 'utf8')).toBe(
      'apiVersion: 1\n',
    );
    expect(() => statSync(join(stackDir, 'headless.sh'))).toThrow();
    expect(() => statSync(join(stackDir, 'grafana/dashboards-src'))).toThrow();
    expect(statSync(join(stackDir, 'telegraf/telegraf.conf')).mode & 0o777).toBe(0o644);
    expect(statSync(join(stackDir, 'grafana/provisioning')).mode & 0o777).toBe(0o755);
  });

  it('on a new version updates the changed files, keeps .env, and says what changed', () => {
    const stackDir = userFolder();
    syncRuntimeStack({ sourceDir: installFolder(FILES), stackDir, appVersion: '1.0.0' });
    writeFileSync(join(stackDir, '.env'), 'SECRET=mine\n');
    const v2 = installFolder({ ...FILES, 'telegraf/telegraf.conf': '[agent]\n  interval = "1s"\n' });
    const sync = syncRuntimeStack({ sourceDir: v2, stackDir, appVersion: '2.0.0' });
    expect(sync).toMatchObject({
      previousVersion: '1.0.0',
      updated: ['telegraf/telegraf.conf'],
      backedUp: [],
    });
    expect(readFileSync(join(stackDir, 'telegraf/telegraf.conf'), 'utf8')).toContain('interval');
    expect(readFileSync(join(stackDir, '.env'), 'utf8')).toBe('SECRET=mine\n');
  });

  it("keeps a user's edit when the app's file did not change, and backs it up when it did", () => {
    const stackDir = userFolder();
    syncRuntimeStack({ sourceDir: installFolder(FILES), stackDir, appVersion: '1.0.0' });
    writeFileSync(join(stackDir, 'compose.yaml'), 'services: {mine: {}}\n');
    writeFileSync(join(stackDir, 'telegraf/telegraf.conf'), '# my tuning\n');
    const v2 = installFolder({ ...FILES, 'telegraf/telegraf.conf': '[agent]\n  interval = "1s"\n' });
    const sync = syncRuntimeStack({ sourceDir: v2, stackDir, appVersion: '2.0.0' });
    expect(sync.updated).toEqual(['telegraf/telegraf.conf']);
    expect(sync.backedUp).toEqual(['telegraf/telegraf.conf']);
    expect(readFileSync(join(stackDir, 'compose.yaml'), 'utf8')).toBe('services: {mine: {}}\n');
    const backup = readdirSync(join(stackDir, 'telegraf')).find((n) => n.startsWith('telegraf.conf.user-'));
    expect(readFileSync(join(stackDir, 'telegraf', backup as string), 'utf8')).toBe('# my tuning\n');
  });

  it('names the folder when it cannot be created', () => {
    // A file where a parent folder should be: fails for root too, unlike a permission.
    const source = installFolder(FILES);
    const stackDir = join(source, 'compose.yaml', 'stack');
    expect(() => syncRuntimeStack({ sourceDir: source, stackDir, appVersion: '1' })).toThrow(
      /Cannot create the stack folder .*ws install .*compose\.yaml\/stack/,
    );
  });
});
