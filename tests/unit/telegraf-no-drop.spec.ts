/**
 * The no-drop arithmetic of stack/telegraf/telegraf.conf, checked on the file users run: if any of
 * these fail, a long InfluxDB outage can make Telegraf drop points it took from Kafka and commit
 * past them. The fault suite (tests/faults/no-drop.test.ts) shows the same on the real stack.
 */
import { readFileSync } from 'node:fs';
import { MAX_MESSAGE_BYTES } from '@walkstream/producer';
import { describe, expect, it } from 'vitest';
import { bridgeTelegrafConf } from '../../core/connect/telegraf-bridge';
import { type ConnectionSettings, DEFAULT_CONNECTION } from '../../core/contract/connection';

interface Section {
  header: string;
  values: Record<string, string>;
  tables: Record<string, Record<string, string>>;
}

/** Just enough TOML for telegraf.conf: [[plugin]] sections, their keys and [plugin.sub] tables. */
function parseTelegrafConf(text: string): Section[] {
  const sections: Section[] = [];
  let section: Section | undefined;
  let table: Record<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (!line || line.startsWith('#')) continue;
    const plugin = /^\[\[([\w.]+)\]\]$/.exec(line) ?? /^\[(agent)\]$/.exec(line);
    if (plugin) {
      section = { header: plugin[1] as string, values: {}, tables: {} };
      sections.push(section);
      table = section.values;
      continue;
    }
    const sub = /^\[([\w.]+)\]$/.exec(line);
    if (sub && section) {
      const name = (sub[1] as string).split('.').pop() as string;
      section.tables[name] = {};
      table = section.tables[name];
      continue;
    }
    const kv = /^(\w+)\s*=\s*(.+)$/.exec(line);
    if (kv && table) table[kv[1] as string] = (kv[2] as string).replace(/^"(.*)"$/, '$1');
  }
  return sections;
}

const num = (v: string | undefined) => Number((v ?? 'NaN').replaceAll('_', ''));

/** Does an output take a metric with these tags? Only the filters telegraf.conf uses. */
function takes(output: Section, tags: Record<string, string>): boolean {
  const pass = output.tables.tagpass;
  const drop = output.tables.tagdrop;
  const matches = (t: Record<string, string>) =>
    Object.entries(t).some(([k, v]) => JSON.parse(v.replaceAll("'", '"')).includes(tags[k]));
  if (pass && !matches(pass)) return false;
  if (drop && matches(drop)) return false;
  return true;
}

// The shortest line protocol point is "m f=1" plus the newline that separates it from the next.
const MIN_POINT_BYTES = 6;

const localConf = readFileSync(new URL('../../stack/telegraf/telegraf.conf', import.meta.url), 'utf8');
// Connect mode's bridge runs the same file adapted to the user's cluster (SCRAM over TLS, on the
// host's network: every substitution it makes).
const bridge: ConnectionSettings = {
  ...DEFAULT_CONNECTION,
  mode: 'connect',
  bridge: true,
  kafka: {
    ...DEFAULT_CONNECTION.kafka,
    bootstrapServers: ['localhost:9093'],
    sasl: 'scram-sha-512',
    username: 'u',
    tls: true,
    caFile: '/ca.pem',
    certFile: '/c.pem',
    keyFile: '/k.pem',
  },
  influx: { url: 'http://127.0.0.1:8086', org: 'o', bucket: 'b' },
};
const bridgeConf = bridgeTelegrafConf(localConf, bridge, {
  metricsPort: 9273,
  topic: 'random-walks',
  hostNetwork: true,
  user: '1000:1000',
});

describe.each([
  ['telegraf.conf', localConf, true],
  ["connect mode's bridge", bridgeConf, false],
])('%s: Telegraf can never drop a point it took from Kafka', (_name, text, probesBrokers) => {
  const sections = parseTelegrafConf(text);
  const agent = sections.find((s) => s.header === 'agent') as Section;
  const consumer = sections.find((s) => s.header === 'inputs.kafka_consumer') as Section;
  // Every input but the Kafka consumer: Telegraf's own metrics (inputs.internal), the broker probes.
  const selfInputs = sections.filter((s) => s.header.startsWith('inputs.') && s !== consumer);
  const outputs = sections.filter((s) => s.header.startsWith('outputs.'));
  const maxMessageLen = num(consumer.values.max_message_len);
  const undelivered = num(consumer.values.max_undelivered_messages);
  const pointsPerMessage = Math.floor((maxMessageLen + 1) / MIN_POINT_BYTES);
  const kafkaOutputs = outputs.filter((o) => takes(o, {}));

  it('bounds the message size, and the producer stays within it', () => {
    expect(maxMessageLen).toBeGreaterThan(0);
    expect(MAX_MESSAGE_BYTES).toBeLessThanOrEqual(maxMessageLen);
  });

  it("writes Kafka data through outputs whose buffers hold two sessions' undelivered windows", () => {
    expect(kafkaOutputs.map((o) => o.values.alias)).toEqual(['kafka_data']);
    for (const o of kafkaOutputs) {
      const limit = num(o.values.metric_buffer_limit ?? agent.values.metric_buffer_limit ?? '10000');
      expect(limit).toBeGreaterThanOrEqual(2 * undelivered * pointsPerMessage);
    }
  });

  it("keeps Telegraf's own metrics and the broker probes out of the Kafka data's buffer", () => {
    expect(selfInputs.map((s) => s.header)).toContain('inputs.internal');
    expect(selfInputs.some((s) => s.header === 'inputs.net_response')).toBe(probesBrokers);
    for (const input of selfInputs) {
      const tags = input.tables.tags ?? {};
      expect(Object.keys(tags), input.header).not.toHaveLength(0);
      for (const o of kafkaOutputs) expect(takes(o, tags), input.header).toBe(false);
      // ...and they still reach InfluxDB through an output of their own.
      expect(outputs.some((o) => o.header === 'outputs.influxdb_v2' && takes(o, tags))).toBe(true);
    }
  });

  it('fills a batch within the undelivered window even when every message holds one point', () => {
    expect(num(agent.values.metric_batch_size)).toBeLessThanOrEqual(undelivered);
  });
});
