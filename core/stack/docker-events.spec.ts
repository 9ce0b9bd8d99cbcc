import { describe, expect, it } from 'vitest';
import { changesState } from './docker-events';

const event = (Action: string) => JSON.stringify({ Type: 'container', Action, status: Action, id: 'abc' });

describe('changesState', () => {
  it('passes the events that change what the app shows: start, die, pause, health', () => {
    for (const action of [
      'create',
      'start',
      'die',
      'stop',
      'kill',
      'pause',
      'unpause',
      'destroy',
      'oom',
      'restart',
    ]) {
      expect(changesState(event(action))).toBe(true);
    }
    expect(changesState(event('health_status: unhealthy'))).toBe(true);
  });

  it("ignores a health check's exec events, alone or several in one chunk", () => {
    expect(changesState(event('exec_create: curl -fsS http://localhost:8086/health'))).toBe(false);
    expect(changesState(`${event('exec_start: curl -fsS')}\n${event('exec_die')}\n`)).toBe(false);
  });

  it('counts a chunk as a change when any event in it is one, or when it cannot be read', () => {
    expect(changesState(`${event('exec_die')}\n${event('die')}\n`)).toBe(true);
    expect(changesState('{"Type":"contai')).toBe(true);
    expect(changesState(JSON.stringify({ Type: 'container' }))).toBe(true);
  });
});
