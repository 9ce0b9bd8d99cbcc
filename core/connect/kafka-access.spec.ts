import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONNECTION, type KafkaConnection } from '../contract/connection';
import { influxTarget, kafkaAccess } from './kafka-access';

const conn = (patch: Partial<KafkaConnection>): KafkaConnection => ({
  ...DEFAULT_CONNECTION.kafka,
  bootstrapServers: ['b1.example.com:9093'],
  ...patch,
});
const pem = (text = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n') => {
  const f = join(mkdtempSync(join(tmpdir(), 'walkstream-pem-')), 'x.pem');
  writeFileSync(f, text);
  return f;
};

describe('kafkaAccess', () => {
  it('plaintext without SASL needs only the bootstrap servers', () => {
    expect(kafkaAccess(conn({}), '')).toEqual({ brokers: ['b1.example.com:9093'], security: {} });
  });

  it('SCRAM over TLS with a CA file and a client certificate', () => {
    const ca = pem();
    const a = kafkaAccess(
      conn({
        sasl: 'scram-sha-512',
        username: 'walker',
        tls: true,
        caFile: ca,
        certFile: pem(),
        keyFile: pem(),
      }),
      'pw',
    );
    expect(a.security.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'walker', password: 'pw' });
    expect(a.security.ssl).toMatchObject({ ca: [expect.stringContaining('BEGIN CERTIFICATE')] });
    expect(a.security.ssl).toHaveProperty('cert');
    expect(a.security.ssl).toHaveProperty('key');
  });

  it('TLS without a CA file uses the system CAs (no ca option)', () => {
    expect(kafkaAccess(conn({ tls: true }), '').security.ssl).toEqual({});
  });

  it.each([
    [conn({ bootstrapServers: [] }), '', 'kafka.bootstrapServers', /Bootstrap servers/],
    [conn({ sasl: 'plain' }), 'pw', 'kafka.username', /SASL PLAIN needs a user name/],
    [conn({ sasl: 'scram-sha-256', username: 'u' }), '', 'kafka.password', /fill in Password/],
    [conn({ tls: true, certFile: '/c.pem' }), '', 'kafka.keyFile', /fill in Client key/],
    [
      conn({ tls: true, caFile: '/nowhere/ca.pem' }),
      '',
      'kafka.caFile',
      /Cannot read \/nowhere\/ca.pem \(ENOENT\): check CA file/,
    ],
  ])('names the setting to fix: %#', (c, password, setting, message) => {
    try {
      kafkaAccess(c, password);
      expect.unreachable();
    } catch (err) {
      expect((err as { details: { setting: string } }).details.setting).toBe(setting);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('a CA file that is not PEM is refused by name', () => {
    expect(() => kafkaAccess(conn({ tls: true, caFile: pem('hello') }), '')).toThrow(
      /not a PEM file.*check CA file/,
    );
  });
});

describe('influxTarget', () => {
  it('needs URL, organization, bucket and token, each by name', () => {
    const full = { url: 'https://eu.influx.example/', org: 'o', bucket: 'b' };
    expect(influxTarget(full, 't')).toEqual({
      url: 'https://eu.influx.example',
      org: 'o',
      bucket: 'b',
      token: 't',
    });
    expect(() => influxTarget({ ...full, url: '' }, 't')).toThrow(/InfluxDB URL/);
    expect(() => influxTarget({ ...full, bucket: '' }, 't')).toThrow(/Bucket/);
    expect(() => influxTarget(full, '')).toThrow(/Token/);
  });
});
