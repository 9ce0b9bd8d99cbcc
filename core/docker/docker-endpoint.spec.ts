import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, dockerodeOptions, resolveDockerEndpoint } from './docker-endpoint';

// The directory names the docker CLI gives these contexts (sha256 of the name), as `docker context
// create` wrote them: spelled out so a wrong hash in the code cannot agree with itself.
const COLIMA_ID = 'f24fd3749c1368328e2b149bec149cb6795619f244c5b584e844961215dadd16';
const REMOTE_ID = 'b71199ebd070b36beab7317920c2c2f1d777df8d05e5527d8458fda57cb17a7a';

let config: string;
beforeEach(() => {
  config = mkdtempSync(join(tmpdir(), 'ws-docker-config-'));
});
afterEach(() => rmSync(config, { recursive: true, force: true }));

function writeContext(
  id: string,
  name: string,
  host: string,
  opts: { skipTls?: boolean; tls?: boolean } = {},
) {
  const meta = join(config, 'contexts', 'meta', id);
  mkdirSync(meta, { recursive: true });
  writeFileSync(
    join(meta, 'meta.json'),
    JSON.stringify({
      Name: name,
      Metadata: {},
      Endpoints: { docker: { Host: host, SkipTLSVerify: opts.skipTls ?? false } },
    }),
  );
  if (opts.tls) {
    const tls = join(config, 'contexts', 'tls', id, 'docker');
    mkdirSync(tls, { recursive: true });
    for (const f of ['ca', 'cert', 'key']) writeFileSync(join(tls, `${f}.pem`), `${f} of ${name}`);
  }
}
const useContext = (name: string) =>
  writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: name }));
const resolve = (env: NodeJS.ProcessEnv, override?: string) =>
  resolveDockerEndpoint({
    env: { DOCKER_CONFIG: config, ...env },
    override,
    platform: 'linux',
    homeDir: '/nohome',
  });

describe('resolveDockerEndpoint', () => {
  it("follows config.json's current context into the context store", () => {
    writeContext(COLIMA_ID, 'colima', 'unix:///Users/u/.colima/default/docker.sock');
    useContext('colima');
    expect(resolve({})).toEqual({
      host: 'unix:///Users/u/.colima/default/docker.sock',
      source: 'context',
      contextName: 'colima',
      configDir: config,
    });
  });

  it('takes DOCKER_CONTEXT over the current context, DOCKER_HOST over both, the setting over all', () => {
    writeContext(COLIMA_ID, 'colima', 'unix:///colima.sock');
    writeContext(REMOTE_ID, 'remote', 'tcp://10.0.0.5:2375');
    useContext('colima');
    expect(resolve({ DOCKER_CONTEXT: 'remote' })).toMatchObject({
      host: 'tcp://10.0.0.5:2375',
      contextName: 'remote',
    });
    expect(resolve({ DOCKER_CONTEXT: 'remote', DOCKER_HOST: 'unix:///env.sock' })).toEqual({
      host: 'unix:///env.sock',
      source: 'DOCKER_HOST',
    });
    expect(resolve({ DOCKER_HOST: 'unix:///env.sock' }, 'unix:///mine.sock')).toEqual({
      host: 'unix:///mine.sock',
      source: 'setting',
    });
    expect(resolve({ DOCKER_HOST: 'unix:///env.sock' }, '/run/user/1000/docker.sock').host).toBe(
      'unix:///run/user/1000/docker.sock',
    );
    expect(resolve({ DOCKER_HOST: 'unix:///env.sock' }, 'remote')).toMatchObject({
      host: 'tcp://10.0.0.5:2375',
      source: 'setting',
      contextName: 'remote',
    });
  });

  it('falls back to the platform default with no config, and for the "default" context', () => {
    expect(resolve({})).toEqual({ host: 'unix:///var/run/docker.sock', source: 'default' });
    useContext('default');
    expect(resolve({})).toMatchObject({ host: 'unix:///var/run/docker.sock', contextName: 'default' });
    expect(
      resolveDockerEndpoint({ env: { DOCKER_CONFIG: join(config, 'none') }, platform: 'win32' }).host,
    ).toBe('npipe:////./pipe/docker_engine');
  });

  it('reads ~/.docker when DOCKER_CONFIG is not set', () => {
    const home = config;
    config = join(home, '.docker');
    writeContext(COLIMA_ID, 'colima', 'unix:///colima.sock');
    useContext('colima');
    expect(resolveDockerEndpoint({ env: {}, homeDir: home }).host).toBe('unix:///colima.sock');
    config = home;
  });

  it('names a missing context, where it came from and what to do', () => {
    useContext('desktop-linux');
    let error: unknown;
    try {
      resolve({});
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'DOCKER_CONTEXT_INVALID', details: { context: 'desktop-linux' } });
    const message = (error as Error).message;
    expect(message).toContain('"desktop-linux"');
    expect(message).toContain('config.json');
    expect(message).toContain('docker context ls');
    expect(message).toContain('docker context use default');
    expect(message).toContain('settings');
    expect(() => resolve({ DOCKER_CONTEXT: 'nope' })).toThrow(
      /"nope" \(from DOCKER_CONTEXT\) does not exist/,
    );
  });

  it("picks up a context's TLS material and SkipTLSVerify", () => {
    writeContext(REMOTE_ID, 'remote', 'tcp://build.example:2376', { tls: true, skipTls: true });
    const endpoint = resolve({ DOCKER_CONTEXT: 'remote' });
    const dir = join(config, 'contexts', 'tls', REMOTE_ID, 'docker');
    expect(endpoint.tls).toEqual({
      verify: false,
      dir,
      ca: join(dir, 'ca.pem'),
      cert: join(dir, 'cert.pem'),
      key: join(dir, 'key.pem'),
    });
    const options = dockerodeOptions(endpoint) as Record<string, unknown>;
    expect(options).toMatchObject({ protocol: 'https', host: 'build.example', port: '2376' });
    expect(String(options.ca)).toBe('ca of remote');
    expect(options.agent).toBeDefined(); // the unchecked certificate
  });
});

describe('dockerodeOptions', () => {
  it('maps each kind of address', () => {
    const opts = (host: string) => dockerodeOptions({ host, source: 'setting' });
    const unix = opts('unix:///var/run/docker.sock');
    expect(unix).toMatchObject({ socketPath: '/var/run/docker.sock', protocol: 'http' });
    // Explicitly cleared, or docker-modem would take DOCKER_HOST's host over the socket.
    expect(Object.hasOwn(unix, 'host') && unix.host === undefined).toBe(true);
    expect(opts('npipe:////./pipe/dockerDesktopLinuxEngine')).toMatchObject({
      socketPath: '//./pipe/dockerDesktopLinuxEngine',
    });
    expect(opts('tcp://127.0.0.1:2375')).toEqual({ protocol: 'http', host: '127.0.0.1', port: '2375' });
    expect(opts('ssh://me@box:2222')).toEqual({ protocol: 'ssh', host: 'box', port: '2222', username: 'me' });
    expect(() => opts('fd://')).toThrow(/unix:\/\//);
  });
});

describe('cliEnv', () => {
  const base = {
    PATH: '/usr/bin',
    DOCKER_HOST: 'unix:///stale.sock',
    DOCKER_CONTEXT: 'stale',
    DOCKER_CERT_PATH: '/x',
  };

  it('passes a context by name (with its config dir) and drops DOCKER_HOST, which would win over it', () => {
    const env = cliEnv(
      { host: 'tcp://h:2376', source: 'context', contextName: 'remote', configDir: config },
      base,
    );
    expect(env).toMatchObject({ PATH: '/usr/bin', DOCKER_CONTEXT: 'remote', DOCKER_CONFIG: config });
    expect(env.DOCKER_HOST).toBeUndefined();
    expect(env.DOCKER_CERT_PATH).toBeUndefined();
  });

  it('pins any other endpoint with DOCKER_HOST, with its TLS settings', () => {
    const plain = cliEnv({ host: 'unix:///var/run/docker.sock', source: 'default' }, base);
    expect(plain.DOCKER_HOST).toBe('unix:///var/run/docker.sock');
    expect(plain.DOCKER_CONTEXT).toBeUndefined();
    expect(plain.DOCKER_CERT_PATH).toBeUndefined();
    const tls = cliEnv(
      { host: 'tcp://h:2376', source: 'DOCKER_HOST', tls: { verify: true, dir: '/certs' } },
      base,
    );
    expect(tls).toMatchObject({
      DOCKER_HOST: 'tcp://h:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/certs',
    });
  });

  it('reads DOCKER_TLS_VERIFY and DOCKER_CERT_PATH with DOCKER_HOST, as the CLI does', () => {
    const endpoint = resolve({
      DOCKER_HOST: 'tcp://h:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/certs',
    });
    expect(endpoint.tls).toEqual({ verify: true, dir: '/certs' });
  });
});
