import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WalkstreamError } from '../contract/errors';
import { memoryAdvice, runPreflight } from './preflight';

const GiB = 2 ** 30;
const base = {
  engine: async () => ({ name: 'Docker Engine', memTotalBytes: 64 * GiB }),
  findCli: async () => ({ path: '/usr/bin/docker', composeVersion: '2.29.1' }),
  ports: [],
  requiredMemoryBytes: 6 * GiB,
};

describe('runPreflight', () => {
  it('stops at the engine first, passing its error through', async () => {
    const notRunning = new WalkstreamError('DOCKER_NOT_RUNNING', 'nothing answers at unix:///x');
    let cliLooked = false;
    await expect(
      runPreflight({
        ...base,
        engine: () => Promise.reject(notRunning),
        findCli: async () => {
          cliLooked = true;
        },
      }),
    ).rejects.toBe(notRunning);
    expect(cliLooked).toBe(false);
  });

  it('passes a missing CLI through', async () => {
    const missing = new WalkstreamError('DOCKER_CLI_MISSING', 'not found');
    await expect(runPreflight({ ...base, findCli: () => Promise.reject(missing) })).rejects.toBe(missing);
  });

  it('names a taken port, and ignores ports the stack itself holds', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const port = (holder.address() as import('node:net').AddressInfo).port;
    const deps = { ...base, ports: [{ port, purpose: 'InfluxDB' }] };
    try {
      await expect(runPreflight(deps)).rejects.toMatchObject({
        code: 'PORT_TAKEN',
        message: expect.stringContaining(`Port ${port} on 127.0.0.1 (InfluxDB)`),
        details: { port },
      });
      await expect(runPreflight({ ...deps, ownPorts: new Set([port]) })).resolves.toBeUndefined();
    } finally {
      holder.close();
    }
  });

  it("compares the stack's limits with the engine's memory, not the host's, and says where to raise it", async () => {
    const desktop = async () => ({ name: 'Docker Desktop', memTotalBytes: 2 * GiB });
    const err = await runPreflight({ ...base, engine: desktop }).catch((e: WalkstreamError) => e);
    expect(err).toMatchObject({ code: 'NOT_ENOUGH_MEMORY', details: { memTotalBytes: 2 * GiB } });
    expect((err as Error).message).toContain('6.0 GiB');
    expect((err as Error).message).toContain('Docker Desktop has 2.0 GiB');
    expect((err as Error).message).toContain('Settings → Resources');
  });

  it('lets a stack that fits within the headroom start, and an engine that reports no memory', async () => {
    const engine = (memTotalBytes: number) => async () => ({ name: 'colima', memTotalBytes });
    await expect(runPreflight({ ...base, engine: engine(4 * GiB) })).resolves.toBeUndefined();
    await expect(runPreflight({ ...base, engine: engine(0) })).resolves.toBeUndefined();
    await expect(runPreflight({ ...base, engine: engine(3 * GiB) })).rejects.toMatchObject({
      message: expect.stringContaining('colima start --memory 6'),
    });
  });
});

describe('memoryAdvice', () => {
  it('names the setting of each product, and plain advice for a native engine', () => {
    expect(memoryAdvice('Rancher Desktop', 6.25 * GiB)).toMatch(/Virtual Machine.*7 GB/);
    expect(memoryAdvice('Podman', 6 * GiB)).toContain('--memory 6144');
    expect(memoryAdvice('Docker Engine', 6 * GiB)).toMatch(/Close other programs/);
  });
});
