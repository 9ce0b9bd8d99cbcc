import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { freemem, totalmem } from 'node:os';
import { promisify } from 'node:util';
import { WalkstreamError } from '../../producer/src/errors';

const run = promisify(execFile);

export interface PreflightDeps {
  /** Resolves when the Docker API answers (dockerode's ping). */
  pingDocker: () => Promise<unknown>;
  dockerCli: string;
  /** Host ports the stack will publish, by what they are for. */
  ports: { port: number; purpose: string }[];
  /** Memory the stack's limits add up to, bytes. */
  requiredMemoryBytes: number;
  /** Ports the project's own running containers already hold (not a conflict). */
  ownPorts?: Set<number>;
}

/**
 * Checks before `compose up`, each failing with what is wrong and what to do: Docker missing,
 * stopped or not permitted; Compose missing; a host port taken (naming the port and, when the
 * system says, the process); too little memory.
 */
export async function runPreflight(deps: PreflightDeps): Promise<void> {
  try {
    await deps.pingDocker();
  } catch (err) {
    throw dockerError(err as NodeJS.ErrnoException);
  }
  try {
    await run(deps.dockerCli, ['compose', 'version'], { timeout: 15_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw new WalkstreamError(
      'COMPOSE_MISSING',
      e.code === 'ENOENT'
        ? `The docker command (${deps.dockerCli}) was not found. Install Docker (Docker Desktop, or the docker CLI with the Compose plugin).`
        : `"docker compose" is not available (${(e.stderr ?? e.message).trim().split('\n')[0]}). Install the Docker Compose plugin (v2 or later).`,
    );
  }
  for (const { port, purpose } of deps.ports) {
    if (deps.ownPorts?.has(port)) continue;
    if (!(await portIsFree(port))) {
      const owner = await portOwner(port);
      throw new WalkstreamError(
        'PORT_TAKEN',
        `Port ${port} on 127.0.0.1 (${purpose}) is already in use${owner ? ` by ${owner}` : ''}. Stop that program, or set another port in stack/.env.`,
        { details: { port, purpose, owner } },
      );
    }
  }
  const available = Math.max(freemem(), totalmem() * 0.5);
  if (available < deps.requiredMemoryBytes * 0.6) {
    throw new WalkstreamError(
      'NOT_ENOUGH_MEMORY',
      `The stack needs up to ${gib(deps.requiredMemoryBytes)} GiB of memory; about ${gib(available)} GiB is available. Close other programs or give Docker more memory.`,
    );
  }
}

function gib(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(1);
}

function dockerError(err: NodeJS.ErrnoException): WalkstreamError {
  if (err.code === 'EACCES') {
    return new WalkstreamError(
      'DOCKER_PERMISSION',
      'Docker is running but this user may not use it (permission denied on the Docker socket). Add yourself to the "docker" group (then log in again), or use Docker Desktop.',
    );
  }
  if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
    return new WalkstreamError(
      'DOCKER_NOT_RUNNING',
      'Docker is not running (no answer on its socket). Start Docker Desktop, or the Docker service (`sudo systemctl start docker`), and try again. If Docker is not installed, install it first.',
      { retriable: true },
    );
  }
  return new WalkstreamError(
    'DOCKER_UNAVAILABLE',
    `Docker does not answer: ${err.message}. Check that Docker is running.`,
    {
      retriable: true,
    },
  );
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The process listening on a port, from `ss` where available (Linux); null when unknown. */
async function portOwner(port: number): Promise<string | null> {
  try {
    const { stdout } = await run('ss', ['-ltnpH', `sport = :${port}`], { timeout: 5_000 });
    const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout);
    return m ? `${m[1]} (pid ${m[2]})` : null;
  } catch {
    return null;
  }
}
