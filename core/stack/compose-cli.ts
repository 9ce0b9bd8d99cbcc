import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WalkstreamError } from '../contract/errors';

const run = promisify(execFile);

/** Which Compose project a command is about, and the CLI that runs it. */
export interface ComposeProject {
  /** The docker CLI and the environment that points it at the same engine as the app's dockerode. */
  cli: () => Promise<{ path: string; env: NodeJS.ProcessEnv }>;
  project: string;
  stackDir: string;
  /** compose.yaml first, then overrides; read per call, settings may change it. */
  composeFiles: () => string[];
  envFile?: string;
}

/** For one run: more override files after the project's, and variables for Compose's interpolation. */
export interface ComposeExtras {
  files?: string[];
  env?: Record<string, string>;
}

/** `docker compose <args>` on the project; resolves with its stdout, rejects as execFile does. */
export async function runCompose(
  p: ComposeProject,
  args: string[],
  timeoutMs: number,
  extras: ComposeExtras = {},
): Promise<string> {
  const base = ['compose', '-p', p.project, '--project-directory', p.stackDir];
  if (p.envFile) base.push('--env-file', p.envFile);
  for (const f of [...p.composeFiles(), ...(extras.files ?? [])]) base.push('-f', f);
  const cli = await p.cli();
  const { stdout } = await run(cli.path, [...base, ...args], {
    timeout: timeoutMs,
    env: { ...cli.env, ...extras.env },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/**
 * A failed Compose run as the user reads it: the last lines of its stderr, which name the service
 * and the problem; or, when it ran out of time, the likely cause and where to look.
 */
export function composeError(verb: string, err: unknown): WalkstreamError {
  const e = err as { stderr?: string; message?: string; killed?: boolean };
  const detail = (e.stderr || e.message || String(err))
    .trim()
    .split('\n')
    .filter(Boolean)
    .slice(-3)
    .join(' / ');
  return new WalkstreamError(
    'COMPOSE_FAILED',
    e.killed
      ? `Could not ${verb} the stack in time: a service did not become healthy. Check its logs in the service card.`
      : `Could not ${verb} the stack: ${detail}`,
    { retriable: true },
  );
}
