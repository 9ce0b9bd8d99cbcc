import { describe, expect, it } from 'vitest';
import { connectionUpdateSchema } from './connection';

describe('connectionUpdateSchema', () => {
  it('accepts a full connect-mode change, secrets included', () => {
    const r = connectionUpdateSchema.safeParse({
      mode: 'connect',
      kafka: {
        bootstrapServers: ['b-1.msk.example.com:9096', '[::1]:9093'],
        sasl: 'scram-sha-512',
        username: 'walker',
        password: 'pw',
        tls: true,
        caFile: '/etc/ssl/ca.pem',
      },
      influx: { url: 'https://eu-central-1-1.aws.cloud2.influxdata.com', org: 'o', bucket: 'b', token: 't' },
    });
    expect(r.success).toBe(true);
  });

  it.each([
    [
      { kafka: { bootstrapServers: ['SASL_SSL://b1:9093'] } },
      'kafka.bootstrapServers.0',
      /must be host:port/,
    ],
    [{ kafka: { sasl: 'gssapi' } }, 'kafka.sasl', /none, plain, scram-sha-256, scram-sha-512/],
    [{ influx: { url: 'influx.example:8086' } }, 'influx.url', /http:\/\/ or https:\/\//],
    [{ mode: 'cloud' }, 'mode', /"local" or "connect"/],
  ])('refuses %j naming the field', (input, field, message) => {
    const r = connectionUpdateSchema.safeParse(input);
    expect(r.success).toBe(false);
    const issue = r.error?.issues[0];
    expect(issue?.path.join('.')).toBe(field);
    expect(issue?.message).toMatch(message);
  });
});
