import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { type ConnectionSettings, DEFAULT_CONNECTION } from '../contract/connection';
import {
  BRIDGE_SECRET_ENV,
  bridgeComposeOverride,
  bridgeLayout,
  bridgeTelegrafConf,
  isLoopback,
} from './telegraf-bridge';

const localConf = readFileSync(new URL('../../stack/telegraf/telegraf.conf', import.meta.url), 'utf8');

const remote: ConnectionSettings = {
  ...DEFAULT_CONNECTION,
  mode: 'connect',
  bridge: true,
  kafka: {
    ...DEFAULT_CONNECTION.kafka,
    bootstrapServers: ['b-1.kafka.example.com:9096', 'b-2.kafka.example.com:9096'],
    sasl: 'scram-sha-256',
    username: 'walker',
    tls: true,
    caFile: '/home/me/certs/ca.pem',
  },
  influx: { url: 'https://influx.example.com', org: 'acme', bucket: 'walks$1' },
};
const layoutOf = (conn: ConnectionSettings, platform: NodeJS.Platform = 'linux') =>
  bridgeLayout(conn, { metricsPort: 9273, topic: 'random-walks', platform, uid: 1000, gid: 1000 });

/** The override as Compose reads it; `!reset` is Compose's own tag. */
function overrideOf(conn: ConnectionSettings, platform: NodeJS.Platform = 'linux') {
  const text = bridgeComposeOverride(
    conn,
    layoutOf(conn, platform),
    '/home/me/.config/Walkstream/bridge/t.conf',
  );
  const doc = parseDocument(text, {
    customTags: [
      { tag: '!reset', resolve: () => '<reset>' },
      { tag: '!reset', collection: 'seq', resolve: () => '<reset>' },
      { tag: '!reset', collection: 'map', resolve: () => '<reset>' },
    ],
  });
  expect(doc.errors).toEqual([]);
  return {
    text,
    telegraf: (doc.toJS() as { services: { telegraf: Record<string, unknown> } }).services.telegraf,
  };
}

describe('isLoopback', () => {
  it.each([
    ['localhost:9092', true],
    ['127.0.0.1:9092', true],
    ['[::1]:9092', true],
    ['http://localhost:8086', true],
    ['http://127.0.0.1:8086/', true],
    ['kafka.example.com:9092', false],
    ['https://influx.example.com', false],
    ['10.0.0.5:9092', false],
  ])('%s → %s', (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
  });
});

describe('the bridge layout', () => {
  it("shares the host's network only on Linux and only for a cluster on this machine", () => {
    expect(layoutOf(remote).hostNetwork).toBe(false);
    const local = { ...remote, kafka: { ...remote.kafka, bootstrapServers: ['localhost:9093'] } };
    expect(layoutOf(local).hostNetwork).toBe(true);
    expect(layoutOf(local, 'darwin').hostNetwork).toBe(false);
  });

  it("runs as the user on Linux (a key only they can read), as the image's user elsewhere", () => {
    expect(layoutOf(remote).user).toBe('1000:1000');
    expect(layoutOf(remote, 'darwin').user).toBeNull();
  });
});

describe("the bridge's telegraf.conf", () => {
  it("points the consumer at the user's brokers with SASL and TLS, the password left to the environment", () => {
    const conf = bridgeTelegrafConf(localConf, remote, layoutOf(remote));
    expect(conf).toContain('brokers = ["b-1.kafka.example.com:9096", "b-2.kafka.example.com:9096"]');
    expect(conf).toContain('sasl_mechanism = "SCRAM-SHA-256"');
    expect(conf).toContain('sasl_username = "walker"');
    expect(conf).toContain(`sasl_password = "\${${BRIDGE_SECRET_ENV.kafkaPassword}}"`);
    expect(conf).toContain('enable_tls = true');
    expect(conf).toContain('tls_ca = "/etc/telegraf/bridge/ca.pem"');
    expect(conf).not.toContain('tls_cert');
    expect(conf).not.toMatch(/kafka-\d:19092/);
  });

  it('keeps every other consumer and output setting of the local stack', () => {
    const conf = bridgeTelegrafConf(localConf, remote, layoutOf(remote));
    const settings = (t: string) =>
      t.split('\n').filter((l) => /^\s*(max_|metric_|flush_|offset|consumer_group)/.test(l));
    expect(settings(conf)).toEqual(settings(localConf));
    expect(conf).toContain('listen = ":9273"');
  });

  it("on the host's network listens on 127.0.0.1 only", () => {
    const local = { ...remote, kafka: { ...remote.kafka, bootstrapServers: ['localhost:9093'] } };
    const conf = bridgeTelegrafConf(localConf, local, layoutOf(local));
    expect(conf).toContain('listen = "127.0.0.1:9273"');
    expect(conf).toContain('service_address = "http://127.0.0.1:9274"');
    expect(conf).not.toMatch(/listen = ":|service_address = "http:\/\/:/);
  });

  it('says which part of telegraf.conf it no longer finds, rather than running something else', () => {
    expect(() => bridgeTelegrafConf('[agent]\n', remote, layoutOf(remote))).toThrow(
      /kafka_consumer brokers line/,
    );
  });
});

describe("the bridge's Compose override", () => {
  it("gives Telegraf the user's InfluxDB, the secrets as variables and the certificate files read-only", () => {
    const { text, telegraf } = overrideOf(remote);
    expect(telegraf.environment).toMatchObject({
      INFLUX_URL: 'https://influx.example.com',
      INFLUX_ORG: 'acme',
      // A "$" the user typed is escaped for Compose, not read as a variable.
      INFLUX_BUCKET: 'walks$$1',
      INFLUX_TOKEN: `\${${BRIDGE_SECRET_ENV.influxToken}}`,
    });
    expect(telegraf.volumes).toEqual([
      '/home/me/.config/Walkstream/bridge/t.conf:/etc/telegraf/telegraf.conf:ro',
      '/home/me/certs/ca.pem:/etc/telegraf/bridge/ca.pem:ro',
    ]);
    expect(telegraf.user).toBe('1000:1000');
    // Straight into telegraf as that user: the image's entrypoint would switch a root user to its own.
    expect(text).toContain('entrypoint: ["telegraf"]');
    expect(telegraf.network_mode).toBeUndefined();
    // The password too is only a reference, filled in from the Compose process's environment.
    expect(telegraf.environment).toMatchObject({
      [BRIDGE_SECRET_ENV.kafkaPassword]: `\${${BRIDGE_SECRET_ENV.kafkaPassword}:-}`,
    });
  });

  it("on the host's network drops the published ports and checks health on 127.0.0.1", () => {
    const local = { ...remote, influx: { ...remote.influx, url: 'http://localhost:8086' } };
    const { telegraf } = overrideOf(local);
    expect(telegraf.network_mode).toBe('host');
    expect(telegraf.ports).toBe('<reset>');
    expect(JSON.stringify(telegraf.healthcheck)).toContain('http://127.0.0.1:9274/');
  });
});
