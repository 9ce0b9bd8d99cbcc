import type { ServiceInfo, TelegrafStats } from '../../core/contract/data';
import { fmt } from './format';

export interface TelegrafNote {
  text: string;
  tone: 'bad' | 'warn' | 'info';
}

/**
 * What the Telegraf card says about the data it holds: a dropped point is data loss and is said
 * first, in red; points held while InfluxDB is not up are a backlog that waits, not a loss.
 */
export function telegrafNote(
  stats: TelegrafStats | null,
  influxdb: ServiceInfo | undefined,
): TelegrafNote | null {
  if (!stats?.reachable) return null;
  const dropped = stats.droppedPoints ?? 0;
  if (dropped > 0) {
    return {
      tone: 'bad',
      text: `Data loss: Telegraf's buffer dropped ${fmt.format(dropped)} points since it started.`,
    };
  }
  const held = stats.bufferedPoints ?? 0;
  const influxUp = influxdb?.state === 'running' && influxdb.health !== 'unhealthy';
  if (!influxUp && held > 0)
    return { tone: 'warn', text: `Holding ${fmt.format(held)} points, waiting for InfluxDB.` };
  if (held > 0) return { tone: 'info', text: `${fmt.format(held)} points on their way to InfluxDB.` };
  return null;
}
