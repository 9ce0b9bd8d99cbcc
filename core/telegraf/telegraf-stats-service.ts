import type { TelegrafStats } from '../contract/data';
import { toErrorData, WalkstreamError } from '../contract/errors';
import type { EventHub } from '../events/event-hub';
import { Poller } from '../events/poller';
import { parsePrometheusText } from './prometheus-text';

export interface TelegrafStatsOptions {
  /** Telegraf's Prometheus endpoint on the host, e.g. http://127.0.0.1:9273/metrics. */
  url: () => string;
  hub: EventHub;
  intervalMs?: number;
  fetch?: typeof fetch;
}

/** The output that writes the Kafka data (telegraf.conf's alias); its buffer is what Telegraf holds. */
const DATA_OUTPUT = 'kafka_data';

/**
 * Telegraf's own view of the pipeline, from its metrics endpoint, every second: points it holds
 * for InfluxDB, points written, write errors and — the one figure that means data loss — points
 * its buffer dropped. Read over HTTP rather than from InfluxDB so it still works while InfluxDB is
 * the thing that is down.
 */
export class TelegrafStatsService {
  private readonly poller: Poller;
  private latest: TelegrafStats = unreachable(null);

  constructor(private readonly opts: TelegrafStatsOptions) {
    this.poller = new Poller(() => this.poll(), opts.intervalMs);
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  current(): TelegrafStats {
    return this.latest;
  }

  async poll(): Promise<TelegrafStats> {
    const doFetch = this.opts.fetch ?? fetch;
    const url = this.opts.url();
    try {
      const res = await doFetch(url, { signal: AbortSignal.timeout(2_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.latest = telegrafStatsFrom(await res.text(), Date.now());
    } catch (err) {
      this.latest = unreachable(
        new WalkstreamError(
          'TELEGRAF_UNREACHABLE',
          `Telegraf's metrics (${url}) do not answer: ${(err as Error).message}. Telegraf may be stopped or starting.`,
          { retriable: true },
        ),
      );
    }
    this.opts.hub.publish('telegraf:stats', this.latest);
    return this.latest;
  }
}

function unreachable(err: unknown): TelegrafStats {
  return {
    reachable: false,
    error: err ? toErrorData(err) : null,
    bufferedPoints: null,
    bufferLimit: null,
    writtenPoints: null,
    droppedPoints: null,
    writeErrors: null,
    consumedPoints: null,
    consumedAt: null,
    at: Date.now(),
  };
}

/** The figures the app shows, from the text of Telegraf's prometheus_client output. */
export function telegrafStatsFrom(text: string, at: number): TelegrafStats {
  const samples = parsePrometheusText(text);
  const find = (name: string, match: Record<string, string>) =>
    samples.find((x) => x.name === name && Object.entries(match).every(([k, v]) => x.labels[k] === v));
  const pick = (name: string, match: Record<string, string>) => find(name, match)?.value ?? null;
  const consumed = find('internal_gather_metrics_gathered', { input: 'kafka_consumer' });
  const data = { alias: DATA_OUTPUT };
  return {
    reachable: true,
    error: null,
    bufferedPoints: pick('internal_write_buffer_size', data),
    bufferLimit: pick('internal_write_buffer_limit', data),
    writtenPoints: pick('internal_write_metrics_written', data),
    droppedPoints: pick('internal_write_metrics_dropped', data),
    writeErrors: pick('internal_write_errors', data),
    consumedPoints: consumed?.value ?? null,
    consumedAt: consumed?.timestampMs ?? null,
    at,
  };
}
