import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { WalkstreamError } from '../contract/errors';
import type { EngineInfo } from '../docker/engine-info';

const run = promisify(execFile);

export interface PreflightDeps {
  /** The engine the stack will run on; rejects with a WalkstreamError saying why it does not answer. */
  engine: () => Promise<Pick<EngineInfo, 'name' | 'memTotalBytes'>>;
  /** Finds the docker CLI with Compose v2; rejects with DOCKER_CLI_MISSING or COMPOSE_MISSING. */
  findCli: () => Promise<unknown>;
  /** Host ports the stack will publish, by what they are for. */
  ports: { port: number; purpose: string }[];
  /** Memory the limits of the services the stack starts add up to, bytes. */
  requiredMemoryBytes: number;
  /** Ports the project's own running containers already hold (not a conflict). */
  ownPorts?: Set<number>;
}

/**
 * Limits are ceilings, and the stack runs well below them together; the check only refuses an
 * engine so small that the services would be killed for memory.
 */
const MEMORY_HEADROOM = 0.6;

/**
 * Checks before `compose up`, each failing with what is wrong and what to do: Docker missing,
 * stopped or not permitted; Compose missing; a host port taken (naming the port and, when the
 * system says, the process); too little memory in the engine (Docker Desktop's VM, not the host).
 */
export async function runPreflight(deps: PreflightDeps): Promise<void> {
  const engine = await deps.engine();
  await deps.findCli();
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
  // 0: an engine that does not say (some compatible APIs); better to try than to refuse.
  if (engine.memTotalBytes > 0 && engine.memTotalBytes < deps.requiredMemoryBytes * MEMORY_HEADROOM) {
    throw new WalkstreamError(
      'NOT_ENOUGH_MEMORY',
      `The stack needs up to ${gib(deps.requiredMemoryBytes)} GiB of memory; ${engine.name} has ${gib(engine.memTotalBytes)} GiB. ${memoryAdvice(engine.name, deps.requiredMemoryBytes)}`,
      {
        details: {
          engine: engine.name,
          memTotalBytes: engine.memTotalBytes,
          requiredBytes: deps.requiredMemoryBytes,
        },
      },
    );
  }
}

function gib(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(1);
}

/** Where each product sets its VM's memory; on a native engine the host's memory is all there is. */
export function memoryAdvice(engineName: string, requiredBytes: number): string {
  const want = Math.ceil(requiredBytes / 2 ** 30);
  switch (engineName) {
    case 'Docker Desktop':
      return `Give Docker Desktop more memory (Settings → Resources → Memory limit, ${want} GiB or more), apply, and try again.`;
    case 'colima':
      return `Restart colima with more memory: \`colima stop\` then \`colima start --memory ${want}\`.`;
    case 'Rancher Desktop':
      return `Give Rancher Desktop more memory (Preferences → Virtual Machine → Memory, ${want} GB or more).`;
    case 'OrbStack':
      return `Raise OrbStack's memory limit (Settings → System → Memory limit, ${want} GB or more).`;
    case 'Podman':
      return `Give the Podman machine more memory: \`podman machine stop\`, \`podman machine set --memory ${want * 1024}\`, \`podman machine start\`.`;
    default:
      return 'Close other programs, or run the stack on a machine with more memory.';
  }
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
