/**
 * Which Docker engine to talk to, decided the way the docker CLI decides it, so that dockerode and
 * every `docker compose` call reach the same engine: an app started from a desktop menu has none
 * of the shell's environment, and Docker Desktop, colima, OrbStack and Rancher Desktop point the
 * CLI at their engine through the current docker context, not through DOCKER_HOST.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { WalkstreamError } from '../contract/errors';

export type EndpointSource = 'setting' | 'DOCKER_HOST' | 'context' | 'default';

export interface DockerTls {
  /** false: TLS without checking the engine's certificate (a context's SkipTLSVerify). */
  verify: boolean;
  /** The directory holding ca.pem / cert.pem / key.pem, when there is one. */
  dir?: string;
  ca?: string;
  cert?: string;
  key?: string;
}

export interface DockerEndpoint {
  /** unix:///path, npipe:////./pipe/name, tcp://host:port or ssh://user@host. */
  host: string;
  source: EndpointSource;
  contextName?: string;
  /** The docker config directory the context was read from. */
  configDir?: string;
  tls?: DockerTls;
}

export interface EndpointLookup {
  /** The user's explicit choice: an engine address (unix://, tcp://, a socket path) or a context name. */
  override?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homeDir?: string;
}

export function defaultDockerHost(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock';
}

export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env, homeDir: string = homedir()): string {
  return env.DOCKER_CONFIG || join(homeDir, '.docker');
}

/** The CLI's order: --host/--context (our setting), DOCKER_HOST, DOCKER_CONTEXT, config.json's currentContext. */
export function resolveDockerEndpoint(lookup: EndpointLookup = {}): DockerEndpoint {
  const env = lookup.env ?? process.env;
  const platform = lookup.platform ?? process.platform;
  const configDir = dockerConfigDir(env, lookup.homeDir ?? homedir());
  const override = lookup.override?.trim();
  if (override) {
    if (override.includes('://')) return { host: override, source: 'setting' };
    if (override.startsWith('/')) return { host: `unix://${override}`, source: 'setting' };
    return fromContext(override, 'the Walkstream setting', configDir, platform, 'setting');
  }
  if (env.DOCKER_HOST) return { host: env.DOCKER_HOST, source: 'DOCKER_HOST', ...envTls(env, configDir) };
  if (env.DOCKER_CONTEXT) return fromContext(env.DOCKER_CONTEXT, 'DOCKER_CONTEXT', configDir, platform);
  const current = currentContext(configDir);
  if (current) {
    return fromContext(
      current,
      `the current context in ${join(configDir, 'config.json')}`,
      configDir,
      platform,
    );
  }
  return { host: defaultDockerHost(platform), source: 'default' };
}

function currentContext(configDir: string): string | undefined {
  try {
    const config = JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as {
      currentContext?: unknown;
    };
    return typeof config.currentContext === 'string' && config.currentContext
      ? config.currentContext
      : undefined;
  } catch {
    // The CLI warns about an unreadable config.json and carries on with the defaults: so do we.
    return undefined;
  }
}

/** The CLI's DOCKER_TLS_VERIFY / DOCKER_TLS with certificates from DOCKER_CERT_PATH or the config dir. */
function envTls(env: NodeJS.ProcessEnv, configDir: string): { tls?: DockerTls } {
  if (!env.DOCKER_TLS_VERIFY && !env.DOCKER_TLS) return {};
  return { tls: tlsFiles(env.DOCKER_CERT_PATH || configDir, Boolean(env.DOCKER_TLS_VERIFY)) };
}

function tlsFiles(dir: string, verify: boolean): DockerTls {
  const tls: DockerTls = { verify, dir };
  for (const name of ['ca', 'cert', 'key'] as const) {
    const file = join(dir, `${name}.pem`);
    if (existsSync(file)) tls[name] = file;
  }
  return tls;
}

interface ContextMeta {
  Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } };
}

/** Reads the CLI's context store: meta/<sha256(name)>/meta.json, TLS material under tls/<sha256(name)>/docker/. */
function fromContext(
  name: string,
  from: string,
  configDir: string,
  platform: NodeJS.Platform,
  source: EndpointSource = 'context',
): DockerEndpoint {
  // "default" is not stored: it is the engine the CLI would use with no context at all.
  if (name === 'default') {
    return {
      host: defaultDockerHost(platform),
      source: source === 'setting' ? 'setting' : 'default',
      contextName: name,
    };
  }
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = join(configDir, 'contexts', 'meta', id, 'meta.json');
  let meta: ContextMeta;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as ContextMeta;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw contextError(
      name,
      from,
      missing ? `does not exist in ${configDir}` : `cannot be read (${metaFile})`,
    );
  }
  const docker = meta.Endpoints?.docker;
  if (typeof docker?.Host !== 'string' || !docker.Host) {
    throw contextError(name, from, 'has no Docker endpoint');
  }
  const endpoint: DockerEndpoint = { host: docker.Host, source, contextName: name, configDir };
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const skipVerify = docker.SkipTLSVerify === true;
  if (existsSync(tlsDir) || skipVerify) endpoint.tls = tlsFiles(tlsDir, !skipVerify);
  return endpoint;
}

function contextError(name: string, from: string, problem: string): WalkstreamError {
  return new WalkstreamError(
    'DOCKER_CONTEXT_INVALID',
    `The docker context "${name}" (from ${from}) ${problem}. Run \`docker context ls\` to see the contexts, ` +
      '`docker context use default` to go back to the default engine, or set the Docker endpoint in Walkstream’s settings.',
    { details: { context: name, from } },
  );
}

/** dockerode's constructor options for an endpoint. */
export function dockerodeOptions(endpoint: DockerEndpoint): Dockerode.DockerOptions {
  const { host } = endpoint;
  // Explicit `host: undefined` and `protocol`: docker-modem fills in whatever the options leave
  // out from this process's DOCKER_HOST / DOCKER_TLS_VERIFY, which may name another engine.
  if (host.startsWith('unix://'))
    return { socketPath: host.slice('unix://'.length), host: undefined, protocol: 'http' };
  if (host.startsWith('npipe://')) {
    return {
      socketPath: host.slice('npipe://'.length) || '//./pipe/docker_engine',
      host: undefined,
      protocol: 'http',
    };
  }
  const url = parseHostUrl(host);
  if (url.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: url.port || 22,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WalkstreamError(
      'DOCKER_ENDPOINT_UNSUPPORTED',
      `Walkstream cannot reach a Docker engine at ${host}: use a unix://, npipe://, tcp:// or ssh:// address.`,
    );
  }
  const tls = endpoint.tls ?? (url.protocol === 'https:' ? { verify: true } : undefined);
  if (!tls) return { protocol: 'http', host: url.hostname, port: url.port || 2375 };
  const read = (file?: string) => (file ? readFileSync(file) : undefined);
  const material = { ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key) };
  return {
    protocol: 'https',
    host: url.hostname,
    port: url.port || 2376,
    ...material,
    // docker-modem has no switch for an unchecked certificate; its requests take an agent's options.
    ...(tls.verify ? {} : ({ agent: new Agent({ ...material, rejectUnauthorized: false }) } as object)),
  };
}

function parseHostUrl(host: string): URL {
  try {
    return new URL(host.includes('://') ? host : `tcp://${host}`);
  } catch {
    throw new WalkstreamError(
      'DOCKER_ENDPOINT_UNSUPPORTED',
      `"${host}" is not a Docker engine address (e.g. unix:///var/run/docker.sock or tcp://host:2376).`,
    );
  }
}

/** What the CLI reads to pick its engine; cliEnv sets them all afresh so none of the caller's leaks through. */
const ENGINE_VARS = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH'];

/**
 * The environment for a docker / docker compose process that makes it use `endpoint`.
 *
 * An endpoint from a context is passed as DOCKER_CONTEXT (with its DOCKER_CONFIG), not as its
 * DOCKER_HOST: the CLI then takes the host, TLS material and SkipTLSVerify from the same store we
 * read, including what DOCKER_HOST/DOCKER_CERT_PATH cannot say (an unchecked certificate, ssh
 * settings). Everything else is pinned with DOCKER_HOST, which also keeps a context switched
 * meanwhile in config.json from moving the CLI to another engine than dockerode's.
 */
export function cliEnv(endpoint: DockerEndpoint, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of ENGINE_VARS) delete env[name];
  if (endpoint.contextName && endpoint.contextName !== 'default' && endpoint.configDir) {
    env.DOCKER_CONTEXT = endpoint.contextName;
    env.DOCKER_CONFIG = endpoint.configDir;
    return env;
  }
  env.DOCKER_HOST = endpoint.host;
  if (endpoint.tls) {
    env.DOCKER_TLS = '1';
    if (endpoint.tls.verify) env.DOCKER_TLS_VERIFY = '1';
    if (endpoint.tls.dir) env.DOCKER_CERT_PATH = endpoint.tls.dir;
  }
  return env;
}

/** The endpoint in words, for messages: its address and where that came from. */
export function describeEndpoint(endpoint: DockerEndpoint): string {
  const from =
    endpoint.contextName !== undefined
      ? `docker context "${endpoint.contextName}"`
      : endpoint.source === 'setting'
        ? 'Walkstream setting'
        : endpoint.source === 'DOCKER_HOST'
          ? 'DOCKER_HOST'
          : 'the default';
  return `${endpoint.host} (${from})`;
}
