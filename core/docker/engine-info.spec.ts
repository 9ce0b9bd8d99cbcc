import { describe, expect, it } from 'vitest';
import type { DockerEndpoint } from './docker-endpoint';
import { engineName, engineUnreachable, readEngineInfo } from './engine-info';

const errno = (code: string) => Object.assign(new Error(`connect ${code} /x.sock`), { code });
const colima: DockerEndpoint = {
  host: 'unix:///Users/u/.colima/default/docker.sock',
  source: 'context',
  contextName: 'colima',
};

describe('engineName', () => {
  it('tells the products apart from docker info / version and the context', () => {
    expect(engineName({ OperatingSystem: 'Docker Desktop', Name: 'docker-desktop' }, {})).toBe(
      'Docker Desktop',
    );
    expect(engineName({ OperatingSystem: 'Ubuntu 24.04', Name: 'colima' }, {})).toBe('colima');
    expect(engineName({ OperatingSystem: 'Ubuntu' }, {}, 'colima-work')).toBe('colima');
    expect(engineName({ OperatingSystem: 'OrbStack', Name: 'orbstack' }, {})).toBe('OrbStack');
    expect(engineName({ OperatingSystem: 'Alpine Linux v3.20', Name: 'lima-rancher-desktop' }, {})).toBe(
      'Rancher Desktop',
    );
    expect(engineName({ OperatingSystem: 'fedora' }, { Components: [{ Name: 'Podman Engine' }] })).toBe(
      'Podman',
    );
    expect(
      engineName({ OperatingSystem: 'Debian', SecurityOptions: ['name=seccomp', 'name=rootless'] }, {}),
    ).toBe('Docker Engine (rootless)');
    expect(engineName({ OperatingSystem: 'Debian GNU/Linux 12 (bookworm)', Name: 'vm' }, {})).toBe(
      'Docker Engine',
    );
  });
});

describe('readEngineInfo', () => {
  it("reports the engine's memory and version with where it is", async () => {
    const docker = {
      info: async () => ({
        OperatingSystem: 'Ubuntu',
        Name: 'colima',
        MemTotal: 2 * 2 ** 30,
        ServerVersion: '27.1.1',
      }),
      version: async () => ({ Version: '27.1.1' }),
    };
    await expect(readEngineInfo(docker as never, colima)).resolves.toEqual({
      name: 'colima',
      serverVersion: '27.1.1',
      memTotalBytes: 2 * 2 ** 30,
      contextName: 'colima',
      host: colima.host,
    });
  });

  it('turns a refused connection into "not running", naming the address and the context', async () => {
    const docker = { info: () => Promise.reject(errno('ECONNREFUSED')), version: async () => ({}) };
    await expect(readEngineInfo(docker as never, colima)).rejects.toMatchObject({
      code: 'DOCKER_NOT_RUNNING',
      retriable: true,
      message: expect.stringMatching(
        /colima\/default\/docker\.sock \(docker context "colima"\).*docker context use/,
      ),
    });
  });
});

describe('engineUnreachable', () => {
  const local: DockerEndpoint = { host: 'unix:///var/run/docker.sock', source: 'default' };
  it('says where it looked and what to do for each failure', () => {
    expect(engineUnreachable(errno('ENOENT'), local)).toMatchObject({
      code: 'DOCKER_NOT_RUNNING',
      message: expect.stringMatching(/unix:\/\/\/var\/run\/docker\.sock.*Start Docker Desktop/),
    });
    expect(engineUnreachable(errno('EACCES'), local)).toMatchObject({
      code: 'DOCKER_PERMISSION',
      message: expect.stringMatching(/unix:\/\/\/var\/run\/docker\.sock.*docker" group/),
    });
    expect(engineUnreachable(errno('ETIMEDOUT'), local)).toMatchObject({
      code: 'DOCKER_UNAVAILABLE',
      retriable: true,
      message: expect.stringMatching(/unix:\/\/\/var\/run\/docker\.sock.*Check that Docker is running/),
    });
    expect(engineUnreachable(errno('ENOENT'), local).message).not.toContain('docker context use');
  });
});
