/**
 * Finds the docker CLI (with Compose v2) without trusting PATH: an app started from the macOS
 * Dock or a Linux menu gets PATH=/usr/bin:/bin, while Docker Desktop, Homebrew, OrbStack, Rancher
 * Desktop and rootless installs put `docker` elsewhere.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';
import { promisify } from 'node:util';
import { WalkstreamError } from '../contract/errors';

const run = promisify(execFile);

export interface DockerCli {
  path: string;
  /** e.g. 2.29.1 */
  composeVersion: string;
}

export interface CliLookup {
  /** The user's choice: a path, or a command name looked up in PATH. */
  setting?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homeDir?: string;
}

/** The side effects of the search, replaceable in tests. */
export interface CliProbes {
  isExecutable: (path: string) => boolean;
  /** The output of `<cli> compose version`; rejects like execFile when the command fails. */
  composeVersion: (cliPath: string) => Promise<string>;
}

export const realProbes: CliProbes = {
  isExecutable: (path) => {
    try {
      if (!statSync(path).isFile()) return false;
      if (process.platform !== 'win32') accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  composeVersion: async (cliPath) =>
    (await run(cliPath, ['compose', 'version'], { timeout: 15_000, env: withCliDirOnPath(cliPath) })).stdout,
};

/** Every place to look, in order, without duplicates. */
export function dockerCliCandidates(lookup: CliLookup = {}): string[] {
  const env = lookup.env ?? process.env;
  const platform = lookup.platform ?? process.platform;
  const home = lookup.homeDir ?? homedir();
  const path = platform === 'win32' ? win32 : posix;
  const exe = platform === 'win32' ? 'docker.exe' : 'docker';
  const pathDirs = (pathVar(env, platform) ?? '').split(path.delimiter).filter(Boolean);
  const found: string[] = [];
  const setting = lookup.setting?.trim();
  if (setting) {
    const isPath = setting.includes('/') || (platform === 'win32' && setting.includes('\\'));
    found.push(...(isPath ? [setting] : pathDirs.map((d) => path.join(d, setting))));
  }
  found.push(...pathDirs.map((d) => path.join(d, exe)));
  found.push(...wellKnown(platform, env, home).map((d) => path.join(d, exe)));
  return [...new Set(found)];
}

function pathVar(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  // Windows spells it Path, and its environment is case-insensitive.
  if (platform !== 'win32') return env.PATH;
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH');
  return key ? env[key] : undefined;
}

function wellKnown(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string[] {
  if (platform === 'win32') {
    const programFiles = env.ProgramFiles || 'C:\\Program Files';
    const localAppData = env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local');
    return [
      win32.join(programFiles, 'Docker', 'Docker', 'resources', 'bin'),
      win32.join(localAppData, 'Programs', 'Rancher Desktop', 'resources', 'resources', 'win32', 'bin'),
    ];
  }
  const perUser = [
    posix.join(home, '.docker', 'bin'),
    posix.join(home, '.rd', 'bin'), // Rancher Desktop
    posix.join(home, '.orbstack', 'bin'),
  ];
  if (platform === 'darwin') {
    return [
      '/usr/local/bin',
      '/opt/homebrew/bin',
      '/Applications/Docker.app/Contents/Resources/bin',
      ...perUser,
      '/opt/local/bin', // MacPorts
    ];
  }
  // ~/bin: where Docker's rootless install script puts the CLI.
  return ['/usr/bin', '/usr/local/bin', '/snap/bin', ...perUser, posix.join(home, 'bin')];
}

/** The Compose version in `docker compose version` output ("Docker Compose version v2.29.1"). */
export function parseComposeVersion(output: string): string | null {
  return /(\d+\.\d+\.\d+[\w.+-]*)/.exec(output)?.[1] ?? null;
}

/**
 * The first candidate that runs and has Compose v2 or later. A docker without (a recent) Compose
 * does not end the search: a distribution's old CLI may come before Docker Desktop's on PATH.
 */
export async function findDockerCli(
  lookup: CliLookup = {},
  probes: CliProbes = realProbes,
): Promise<DockerCli> {
  const candidates = dockerCliCandidates(lookup);
  const withoutCompose: { path: string; problem: string }[] = [];
  for (const path of candidates) {
    if (!probes.isExecutable(path)) continue;
    let output: string;
    try {
      output = await probes.composeVersion(path);
    } catch (err) {
      const e = err as { stderr?: string; message?: string };
      withoutCompose.push({ path, problem: firstLine(e.stderr || e.message || String(err)) });
      continue;
    }
    const version = parseComposeVersion(output);
    const major = Number(version?.split('.')[0] ?? 0);
    if (version && major >= 2) return { path, composeVersion: version };
    withoutCompose.push({ path, problem: version ? `Compose ${version} is too old` : firstLine(output) });
  }
  const [first] = withoutCompose;
  if (first) {
    throw new WalkstreamError(
      'COMPOSE_MISSING',
      `Found docker at ${first.path}, but "docker compose" does not work with it (${first.problem}). ` +
        'Install the Docker Compose plugin, v2 or later (Docker Desktop includes it), or set the path of another docker in Walkstream’s settings.',
      { details: { found: withoutCompose } },
    );
  }
  throw new WalkstreamError(
    'DOCKER_CLI_MISSING',
    `The docker command was not found. Looked in: ${candidates.join(', ')}. ` +
      'Install Docker Desktop (or the docker CLI with the Docker Compose plugin, v2 or later), ' +
      'or set the path of docker in Walkstream’s settings.',
    { details: { searched: candidates } },
  );
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/**
 * The environment with the CLI's own directory (and, for a symlink, its target's) first on PATH:
 * the CLI runs helpers by name (docker-credential-desktop, -osxkeychain), which a menu-launched
 * app's PATH would not find.
 */
export function withCliDirOnPath(cliPath: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const path = process.platform === 'win32' ? win32 : posix;
  const dirs = [path.dirname(cliPath)];
  try {
    dirs.push(path.dirname(realpathSync(cliPath)));
  } catch {
    // not resolvable: its own directory is enough
  }
  const key =
    process.platform === 'win32'
      ? (Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'Path')
      : 'PATH';
  const current = (env[key] ?? '').split(path.delimiter).filter(Boolean);
  return { ...env, [key]: [...new Set([...dirs, ...current])].join(path.delimiter) };
}
