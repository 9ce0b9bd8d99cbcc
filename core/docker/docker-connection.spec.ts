import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerConnection } from './docker-connection';

const probes = {
  isExecutable: (p: string) => p === '/opt/docker/bin/docker',
  composeVersion: async () => 'Docker Compose version v2.30.0',
};
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('DockerConnection', () => {
  it('runs the CLI it found against the same engine, with its own directory on PATH', async () => {
    const connection = new DockerConnection({
      cliPath: '/opt/docker/bin/docker',
      env: { PATH: '/usr/bin:/bin', DOCKER_HOST: 'unix:///run/user/1000/docker.sock' },
      probes,
    });
    const cli = await connection.cliProcess();
    expect(cli.path).toBe('/opt/docker/bin/docker');
    expect(cli.env.DOCKER_HOST).toBe('unix:///run/user/1000/docker.sock');
    expect(cli.env.PATH?.split(':')[0]).toBe('/opt/docker/bin');
  });

  it('follows a context switch made while it runs, keeping the client while nothing changes', () => {
    const config = mkdtempSync(join(tmpdir(), 'ws-connection-'));
    dirs.push(config);
    const connection = new DockerConnection({ env: { DOCKER_CONFIG: config }, probes });
    const first = connection.api();
    expect(connection.api()).toBe(first);
    const meta = join(
      config,
      'contexts',
      'meta',
      'f24fd3749c1368328e2b149bec149cb6795619f244c5b584e844961215dadd16',
    );
    mkdirSync(meta, { recursive: true });
    writeFileSync(
      join(meta, 'meta.json'),
      JSON.stringify({ Name: 'colima', Endpoints: { docker: { Host: 'unix:///colima.sock' } } }),
    );
    writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'colima' }));
    expect(connection.endpoint()).toMatchObject({ host: 'unix:///colima.sock', contextName: 'colima' });
    expect(connection.api()).not.toBe(first);
  });

  it('uses an explicit endpoint over the environment', () => {
    const connection = new DockerConnection({
      endpoint: 'unix:///tmp/mine.sock',
      env: { DOCKER_HOST: 'tcp://x:1' },
    });
    expect(connection.endpoint()).toEqual({ host: 'unix:///tmp/mine.sock', source: 'setting' });
  });
});
