import { describe, expect, it } from 'vitest';
import type { ServiceInfo } from '../contract/data';
import { demuxDockerLogs, pipelineState } from './stack-service';

const svc = (state: ServiceInfo['state'], health: ServiceInfo['health'] = 'healthy'): ServiceInfo => ({
  service: 'telegraf',
  state,
  health,
  containerId: state === 'not-available' ? null : 'x',
  startedAt: null,
  restartCount: 0,
  ports: [],
  image: null,
});

describe('pipelineState', () => {
  it('is stopped with no containers, running when every present one is healthy', () => {
    expect(pipelineState(null, null, [svc('not-available')])).toBe('stopped');
    expect(pipelineState(null, null, [svc('running'), svc('not-available')])).toBe('running');
  });

  it('is degraded when one is unhealthy or exited while others run', () => {
    expect(pipelineState(null, null, [svc('running'), svc('running', 'unhealthy')])).toBe('degraded');
    expect(pipelineState(null, null, [svc('running'), svc('exited', 'none')])).toBe('degraded');
  });

  it('shows a lifecycle in progress, and an error when nothing runs after a failure', () => {
    expect(pipelineState('starting', null, [svc('running', 'starting')])).toBe('starting');
    const err = { code: 'COMPOSE_FAILED', message: 'x', retriable: true } as const;
    expect(pipelineState(null, err, [svc('not-available')])).toBe('error');
  });
});

describe('demuxDockerLogs', () => {
  it('strips the 8-byte frame headers of stdout and stderr', () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(body.length, 4);
      return Buffer.concat([header, body]);
    };
    expect(demuxDockerLogs(Buffer.concat([frame(1, 'out line\n'), frame(2, 'err line\n')]))).toBe(
      'out line\nerr line\n',
    );
  });

  it('passes TTY (unframed) output through', () => {
    expect(demuxDockerLogs(Buffer.from('plain\n'))).toBe('plain\n');
  });
});

describe('StackService with a fake Docker', () => {
  it('follows the event stream, refreshing on each event, and reconnects when it drops', async () => {
    const { PassThrough } = await import('node:stream');
    const { EventHub } = await import('../events/event-hub');
    const { StackService } = await import('./stack-service');
    const streams: InstanceType<typeof PassThrough>[] = [];
    let state = 'running';
    const docker = {
      getEvents: async () => {
        const s = new PassThrough();
        streams.push(s);
        return s;
      },
      listContainers: async () => [{ Id: 'c1', Labels: { 'com.docker.compose.service': 'telegraf' } }],
      getContainer: () => ({
        inspect: async () => ({
          Id: 'c1',
          State: {
            Status: state,
            Running: state === 'running',
            StartedAt: '2026-01-01T00:00:00Z',
            Health: { Status: 'healthy' },
          },
          RestartCount: 0,
          NetworkSettings: { Ports: {} },
          Config: { Image: 'telegraf:1.40.1' },
        }),
      }),
    };
    const hub = new EventHub();
    const published: string[] = [];
    hub.subscribe('stack:status', (s) =>
      published.push(s.services.find((x) => x.service === 'telegraf')?.state ?? ''),
    );
    const svc = new StackService({
      docker: () => docker as never,
      cli: async () => ({ path: '/bin/true', env: process.env }),
      project: 'p',
      stackDir: '/tmp',
      composeFiles: () => [],
      hub,
      preflight: async () => {},
      reconnectDelayMs: 10,
    });
    svc.init();
    const until = async (pred: () => boolean) => {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
      expect(pred()).toBe(true);
    };
    await until(() => streams.length === 1 && published.includes('running'));
    state = 'exited';
    streams[0]?.write(JSON.stringify({ status: 'die', id: 'c1' }));
    await until(() => published.at(-1) === 'exited');
    streams[0]?.end();
    await until(() => streams.length === 2);
    await svc.close();
  });
});
