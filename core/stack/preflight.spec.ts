import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runPreflight } from './preflight';

// `true compose version` exits 0: a stand-in docker CLI that "has Compose".
const base = { dockerCli: '/bin/true', ports: [], requiredMemoryBytes: 1 };
const errno = (code: string) => Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code });

describe('runPreflight', () => {
  it('says Docker is not running when its socket is missing or refuses', async () => {
    await expect(
      runPreflight({ ...base, pingDocker: () => Promise.reject(errno('ENOENT')) }),
    ).rejects.toMatchObject({
      code: 'DOCKER_NOT_RUNNING',
      retriable: true,
    });
  });

  it('says what to do when the socket is not permitted', async () => {
    await expect(
      runPreflight({ ...base, pingDocker: () => Promise.reject(errno('EACCES')) }),
    ).rejects.toMatchObject({
      code: 'DOCKER_PERMISSION',
      message: expect.stringContaining('docker" group'),
    });
  });

  it('reports a missing docker CLI as Compose missing', async () => {
    await expect(
      runPreflight({ ...base, dockerCli: '/nonexistent/docker', pingDocker: async () => {} }),
    ).rejects.toMatchObject({ code: 'COMPOSE_MISSING', message: expect.stringContaining('not found') });
  });

  it('names a taken port, and ignores ports the stack itself holds', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const port = (holder.address() as import('node:net').AddressInfo).port;
    const deps = { ...base, pingDocker: async () => {}, ports: [{ port, purpose: 'InfluxDB' }] };
    try {
      await expect(runPreflight(deps)).rejects.toMatchObject({ code: 'PORT_TAKEN', details: { port } });
      await expect(runPreflight({ ...deps, ownPorts: new Set([port]) })).resolves.toBeUndefined();
    } finally {
      holder.close();
    }
  });

  it('refuses when far less memory is available than the stack may use', async () => {
    await expect(
      runPreflight({ ...base, pingDocker: async () => {}, requiredMemoryBytes: 10 * 2 ** 40 }),
    ).rejects.toMatchObject({ code: 'NOT_ENOUGH_MEMORY' });
  });
});
