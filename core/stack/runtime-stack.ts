import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { WalkstreamError } from '../contract/errors';

/**
 * What the stack needs at run time, relative to the stack folder. Everything else there
 * (dashboards as TypeScript, the headless script) is for developers and stays in the checkout.
 */
export const RUNTIME_STACK_ENTRIES = [
  'compose.yaml',
  '.env.example',
  'init-env.sh',
  'telegraf',
  'grafana/provisioning',
  'grafana/dashboards',
  'local-images/compose.local.yaml',
  'profiles',
] as const;

const MANIFEST = '.walkstream-stack.json';

interface Manifest {
  appVersion: string;
  /** sha256 of each file as this app last wrote it, by path relative to the stack folder. */
  files: Record<string, string>;
}

export interface RuntimeStackSync {
  stackDir: string;
  appVersion: string;
  /** The app version that laid the files before, null on first start. */
  previousVersion: string | null;
  /** Files written because they were new or changed in this version. */
  updated: string[];
  /** Files the user had edited that an update replaced: their edits are kept beside them. */
  backedUp: string[];
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function listFiles(root: string, entry: string): string[] {
  const path = join(root, entry);
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [entry];
  return readdirSync(path).flatMap((name) => listFiles(root, join(entry, name)));
}

/**
 * Lays the stack files from the app's install folder (read-only: an AppImage mount, root-owned
 * /opt, a signed macOS bundle) into a per-user folder that Docker Desktop shares by default, and
 * keeps them current when the app's version changes. `.env` (the user's secrets) and the data
 * volumes are never touched; a stack file the user edited is replaced only on a real change, and
 * their copy is kept beside it as `<name>.user-<timestamp>`.
 */
export function syncRuntimeStack(opts: {
  sourceDir: string;
  stackDir: string;
  appVersion: string;
}): RuntimeStackSync {
  const { sourceDir, stackDir, appVersion } = opts;
  try {
    mkdirSync(stackDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new WalkstreamError(
      'STACK_DIR_UNWRITABLE',
      `Cannot create the stack folder ${stackDir}: ${(err as Error).message}. Check that your user may write there.`,
      { cause: err },
    );
  }
  const manifestPath = join(stackDir, MANIFEST);
  const before: Manifest | null = existsSync(manifestPath)
    ? JSON.parse(readFileSync(manifestPath, 'utf8'))
    : null;
  const after: Manifest = { appVersion, files: {} };
  const updated: string[] = [];
  const backedUp: string[] = [];
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (const file of RUNTIME_STACK_ENTRIES.flatMap((e) => listFiles(sourceDir, e))) {
    const key = file.split(sep).join('/');
    const src = join(sourceDir, file);
    const dest = join(stackDir, file);
    const wanted = sha256(src);
    after.files[key] = wanted;
    const current = existsSync(dest) ? sha256(dest) : null;
    if (current === wanted) continue;
    const userEdited = current !== null && current !== before?.files[key];
    if (userEdited && before?.files[key] === wanted) {
      // Unchanged in this version and edited by the user: their version stays.
      after.files[key] = before.files[key] as string;
      continue;
    }
    makeReadableDirs(stackDir, dirname(dest));
    if (userEdited) {
      copyFileSync(dest, `${dest}.user-${stamp}`);
      backedUp.push(key);
    }
    // The install folder's files are read-only: a copy would be too, and the next update could not
    // replace it. Containers read them as their own users (telegraf, grafana): world-readable,
    // whatever the user's umask.
    if (current !== null) chmodSync(dest, 0o644);
    copyFileSync(src, dest);
    chmodSync(dest, 0o644);
    updated.push(key);
  }
  writeFileSync(manifestPath, `${JSON.stringify(after, null, 2)}\n`);
  return {
    stackDir,
    appVersion,
    previousVersion: before?.appVersion ?? null,
    updated: before ? updated : [],
    backedUp,
  };
}

/** Creates `dir` and its parents below `root` as 0755: containers traverse them as other users. */
function makeReadableDirs(root: string, dir: string): void {
  const parts = relative(root, dir).split(sep).filter(Boolean);
  let path = root;
  for (const part of parts) {
    path = join(path, part);
    if (!existsSync(path)) mkdirSync(path);
    chmodSync(path, 0o755);
  }
}
