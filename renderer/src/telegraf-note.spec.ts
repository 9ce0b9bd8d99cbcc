import { describe, expect, it } from 'vitest';
import type { ServiceInfo, TelegrafStats } from '../../core/contract/data';
import { telegrafNote } from './telegraf-note';

const stats = (over: Partial<TelegrafStats>): TelegrafStats => ({
  reachable: true,
  error: null,
  bufferedPoints: 0,
  bufferLimit: 2_730_000,
  writtenPoints: 0,
  droppedPoints: 0,
  writeErrors: 0,
  consumedPoints: 0,
  consumedAt: null,
  at: 0,
  ...over,
});
const influx = (state: ServiceInfo['state'], health: ServiceInfo['health'] = 'healthy') =>
  ({ service: 'influxdb', state, health }) as ServiceInfo;

describe('telegrafNote', () => {
  it('says how many points Telegraf holds while InfluxDB is stopped', () => {
    expect(telegrafNote(stats({ bufferedPoints: 123456 }), influx('exited', 'none'))).toEqual({
      tone: 'warn',
      text: 'Holding 123,456 points, waiting for InfluxDB.',
    });
  });

  it('reports dropped points as data loss, before anything else', () => {
    expect(telegrafNote(stats({ droppedPoints: 7, bufferedPoints: 10 }), influx('exited'))).toEqual({
      tone: 'bad',
      text: "Data loss: Telegraf's buffer dropped 7 points since it started.",
    });
  });

  it('does not call a normal in-flight buffer a wait', () => {
    const inFlight = telegrafNote(stats({ bufferedPoints: 300 }), influx('running'));
    expect(inFlight?.tone).toBe('info');
    expect(inFlight?.text).not.toMatch(/wait/i);
    expect(telegrafNote(stats({}), influx('running'))).toBeNull();
  });

  it('says nothing when Telegraf does not answer', () => {
    expect(telegrafNote(stats({ reachable: false, droppedPoints: null }), influx('running'))).toBeNull();
  });
});
