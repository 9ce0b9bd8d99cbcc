import { describe, expect, it } from 'vitest';
import type { ServiceInfo } from '../contract/data';
import { demuxDockerLogs, notAvailable, pipelineState } from './container-mapping';

const svc = (state: ServiceInfo['state'], health: ServiceInfo['health'] = 'healthy'): ServiceInfo => ({
  ...notAvailable('telegraf'),
  state,
  health,
  containerId: state === 'not-available' ? null : 'x',
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
