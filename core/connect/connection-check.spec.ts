import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSSASLAuthenticationError,
} from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONNECTION, type KafkaConnection } from '../contract/connection';
import { checkInflux, kafkaFailure } from './connection-check';

const scram: KafkaConnection = {
  ...DEFAULT_CONNECTION.kafka,
  bootstrapServers: ['b1:9093'],
  sasl: 'scram-sha-256',
  username: 'ann',
  tls: true,
};
/** kafkajs' shape of a socket error after its retries: retries exceeded → connection error (with the socket's code). */
const socketError = (message: string, code: string) =>
  new KafkaJSNumberOfRetriesExceeded(
    new KafkaJSConnectionError(`Connection error: ${message}`, { code } as never),
    {
      retryCount: 1,
      retryTime: 300,
    },
  );

describe('kafkaFailure names the cause and the setting', () => {
  it.each([
    [
      // Typed without arguments, but passes them on to Error.
      new (KafkaJSSASLAuthenticationError as unknown as new (m: string) => Error)(
        'SASL SCRAM SHA256 authentication failed',
      ),
      'KAFKA_AUTH_FAILED',
      'kafka.password',
      /SASL login \(SCRAM-SHA-256\) for user 'ann': check Username\/Password/,
    ],
    [
      socketError('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
      'KAFKA_TLS_UNTRUSTED',
      'kafka.caFile',
      /does not trust \(unable to verify the first certificate\): set CA file/,
    ],
    [
      socketError("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'),
      'KAFKA_TLS_HOSTNAME',
      'kafka.bootstrapServers',
      /not issued for the name/,
    ],
    [
      socketError('connect ECONNREFUSED 10.0.0.1:9093', 'ECONNREFUSED'),
      'KAFKA_UNREACHABLE',
      'kafka.bootstrapServers',
      /No Kafka broker answered at b1:9093 \(connect ECONNREFUSED 10.0.0.1:9093\)/,
    ],
    [
      socketError('write EPROTO wrong version number', 'EPROTO'),
      'KAFKA_TLS_FAILED',
      'kafka.tls',
      /TLS handshake .* failed/,
    ],
  ])('%#: %s', (err, code, setting, message) => {
    const e = kafkaFailure(err, scram, ['b1:9093']);
    expect(e.code).toBe(code);
    expect(e.details?.setting).toBe(setting);
    expect(e.message).toMatch(message);
  });

  it('with a CA file set, an untrusted certificate points at that file', () => {
    const e = kafkaFailure(
      socketError('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      { ...scram, caFile: '/etc/ca.pem' },
      ['b1:9093'],
    );
    expect(e.message).toMatch(/not signed by the CA in \/etc\/ca.pem .*: check CA file/);
  });
});

describe('checkInflux', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  /** An InfluxDB stand-in answering writes and queries with the given status and message. */
  async function influx(write: [number, string], read: [number, string] = [200, '']) {
    const seen: { path: string; body: string }[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', body });
        const [status, message] = req.url?.startsWith('/api/v2/write') ? write : read;
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(
          status >= 300 ? JSON.stringify({ code: 'x', message }) : status === 204 ? undefined : 'result\n',
        );
      });
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { target: { url, org: 'acme', bucket: 'walks', token: 't0k' }, seen };
  }

  it('passes with write and read rights, and writes nothing (an empty body)', async () => {
    const { target, seen } = await influx([204, '']);
    await checkInflux(target);
    expect(seen[0]).toEqual({ path: '/api/v2/write?org=acme&bucket=walks&precision=ms', body: '' });
    expect(seen[1]?.path).toBe('/api/v2/query?org=acme');
  });

  it.each([
    [
      [401, 'unauthorized access'],
      undefined,
      'INFLUX_AUTH_FAILED',
      'influx.token',
      /did not accept the token \(401 unauthorized access\): check Token/,
    ],
    [
      [403, 'insufficient permissions for write'],
      undefined,
      'INFLUX_NO_WRITE',
      'influx.token',
      /may not write to bucket "walks" \(403 insufficient permissions for write\): check Token/,
    ],
    [
      [404, 'organization name "acme" not found'],
      undefined,
      'INFLUX_NOT_FOUND',
      'influx.org',
      /check Organization/,
    ],
    [[404, 'bucket "walks" not found'], undefined, 'INFLUX_NOT_FOUND', 'influx.bucket', /check Bucket/],
    [
      [204, ''],
      [403, 'insufficient permissions for read'],
      'INFLUX_NO_READ',
      'influx.token',
      /may not read bucket "walks".*live chart/,
    ],
  ] as const)('%#: a refusal names the setting', async (write, read, code, setting, message) => {
    const { target } = await influx([...write], read ? [...read] : undefined);
    const err = await checkInflux(target).catch((e) => e);
    expect(err).toMatchObject({ code, details: { setting } });
    expect(err.message).toMatch(message);
  });

  it('no server: names the URL', async () => {
    const { target } = await influx([204, '']);
    await new Promise((r) => server?.close(r));
    server = undefined;
    const err = await checkInflux(target).catch((e) => e);
    expect(err).toMatchObject({ code: 'INFLUX_UNREACHABLE', details: { setting: 'influx.url' } });
    expect(err.message).toMatch(
      /No answer from InfluxDB at http:\/\/127.0.0.1:\d+ \(.*ECONNREFUSED.*\): check InfluxDB URL/,
    );
  });
});
