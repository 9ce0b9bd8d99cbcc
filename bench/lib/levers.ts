/**
 * The settings kept because they paid, each measured against the pipeline without it in the same
 * bench run: the same rate, from a drained pipeline, once with every kept setting and once with
 * this one undone. Producer levers are options of the bench's own producer; Telegraf levers are
 * an edit of stack/telegraf/telegraf.conf that Telegraf is restarted with, and restarted without
 * afterwards.
 */
import type { ProducerOptions } from '@walkstream/producer';

export interface Lever {
  name: string;
  /** The setting as kept. */
  kept: string;
  /** What the run without it does instead. */
  without: string;
  producer?: Pick<ProducerOptions, 'maxPointsPerMessage' | 'lingerMs'>;
  /** The rate where it is meant to pay (default LEVER_RATE). */
  rate?: number;
  /** The CPU stages it acts on (as cpu-usage.ts names them); none: every stage. */
  stages?: string[];
  /** telegraf.conf without the lever; throws when the file no longer has the kept setting. */
  telegrafConf?: (conf: string) => string;
}

/** Replaces every occurrence, and says so when there is none (the lever is no longer in the file). */
function undo(conf: string, kept: string, by: string): string {
  if (!conf.includes(kept)) throw new Error(`telegraf.conf no longer has ${JSON.stringify(kept)}`);
  return conf.replaceAll(kept, by);
}

/** Where packing and the Telegraf settings matter and every kept run stays sustainable. */
export const LEVER_RATE = 20_000;

export const LEVERS: Lever[] = [
  {
    name: 'message packing',
    kept: "a walk's points of one send in one Kafka message (up to 100)",
    without: 'one point per message',
    producer: { maxPointsPerMessage: 1 },
  },
  {
    name: 'linger',
    kept: "a partition's points wait up to 50 ms for more ticks",
    without: 'sent as soon as generated',
    producer: { lingerMs: 0 },
  },
  {
    name: "Telegraf's line-protocol parser",
    kept: 'influx_parser_type = "upstream"',
    without: 'the default "internal" parser',
    telegrafConf: (c) => undo(c, 'influx_parser_type = "upstream"', 'influx_parser_type = "internal"'),
    stages: ['telegraf'],
  },
  {
    name: 'Telegraf → InfluxDB encoding',
    kept: 'content_encoding = "identity"',
    without: 'gzip (the default)',
    telegrafConf: (c) => undo(c, 'content_encoding = "identity"', 'content_encoding = "gzip"'),
    stages: ['telegraf', 'influxdb'],
  },
  {
    name: "the walk data's flush",
    kept: 'flush_interval = "100ms" on the Kafka data\'s output',
    without: 'the agent\'s flush_interval = "250ms"',
    telegrafConf: (c) => undo(c, '  flush_interval = "100ms"\n', ''),
    // For latency at low rates: above a few thousand points/s full batches go before any flush.
    rate: 1_000,
    stages: ['telegraf'],
  },
];
