/**
 * Runs after the stack suite, on the same project: takes the stack down and brings it up again
 * through the app core, as the Stop / Start pipeline buttons do.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackStatus } from '../../core/contract/data';
import type { Core } from '../../core/create-core';
import { createTestCore, stackEnv } from '../stack/stack-env';

const run = promisify(execFile);
let core: Core;
let dispose: () => Promise<void>;
const seen: StackStatus[] = [];

beforeAll(() => {
  ({ core, dispose } = createTestCore());
  core.hub.subscribe('stack:status', (s) => seen.push(s));
});
afterAll(async () => {
  await dispose();
});

async function projectResources(kind: 'ps' | 'volume' | 'network'): Promise<string[]> {
  const args =
    kind === 'ps'
      ? ['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${stackEnv.project}`]
      : [kind, 'ls', '-q', '--filter', `label=com.docker.compose.project=${stackEnv.project}`];
  const { stdout } = await run(stackEnv.docker, args);
  return stdout.split('\n').filter(Boolean);
}

describe('stack lifecycle through the app core', () => {
  it('down with volumes removes every container, volume and network of the project', async () => {
    const reply = await core.router.call('stack:down', { removeVolumes: true });
    expect(reply.ok).toBe(true);
    const status = (reply as { result: StackStatus }).result;
    expect(status.state).toBe('stopped');
    expect(status.services.every((s) => s.state === 'not-available')).toBe(true);
    expect(await projectResources('ps')).toEqual([]);
    expect(await projectResources('volume')).toEqual([]);
    expect(await projectResources('network')).toEqual([]);
  });

  it('up brings it back: starting, health turning healthy, then running', async () => {
    seen.length = 0;
    const reply = await core.router.call('stack:up', undefined);
    expect(reply).toMatchObject({ ok: true, result: { state: 'running' } });
    const states = seen.map((s) => s.state);
    expect(states).toContain('starting');
    expect(states.at(-1)).toBe('running');
    // Health transitions came through the event stream while `compose up --wait` ran.
    const kafkaHealth = seen.map((s) => s.services.find((x) => x.service === 'kafka-1')?.health);
    expect(kafkaHealth).toContain('starting');
    expect(kafkaHealth.at(-1)).toBe('healthy');
  });
});
