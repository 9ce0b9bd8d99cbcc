/**
 * "Test connection": a Kafka login plus a metadata round trip, and an InfluxDB write and read
 * that store nothing. Each failure becomes an error naming the cause and the setting to change,
 * which is what a user of a managed cluster needs: the raw client errors ("Connection error:
 * unable to verify the first certificate") say what broke but not where to fix it.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConnection } from '../contract/connection';
import { WalkstreamError } from '../contract/errors';
import { type InfluxTarget, type KafkaAccess, MECHANISM_NAMES, settingError } from './kafka-access';

export async function checkKafka(
  access: KafkaAccess,
  conn: KafkaConnection,
  timeoutMs = 10_000,
): Promise<{ brokers: number; controller: number | null }> {
  const admin = new Kafka({
    clientId: 'walkstream-connection-check',
    brokers: access.brokers,
    ...access.security,
    connectionTimeout: 5_000,
    requestTimeout: 5_000,
    // One more try, so the second bootstrap server is asked when the first is down.
    retry: { retries: 1, initialRetryTime: 300 },
    logLevel: logLevel.NOTHING,
  }).admin({ retry: { retries: 1, initialRetryTime: 300 } });
  let timer: NodeJS.Timeout | undefined;
  try {
    const cluster = await Promise.race([
      admin.connect().then(() => admin.describeCluster()),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
    return { brokers: cluster.brokers.length, controller: cluster.controller };
  } catch (err) {
    throw kafkaFailure(err, conn, access.brokers);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => {});
  }
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** kafkajs wraps the socket's error (retries exceeded → connection error → TLS error): the innermost says most. */
function causes(err: unknown): { name: string; code: string; message: string }[] {
  const out: { name: string; code: string; message: string }[] = [];
  let e = err as
    | { name?: string; code?: string; message?: string; cause?: unknown; originalError?: unknown }
    | undefined;
  for (let depth = 0; e && depth < 6; depth++) {
    // kafkajs prefixes the socket's message; the user needs only the socket's words.
    out.push({
      name: e.name ?? '',
      code: e.code ?? '',
      message: (e.message ?? String(e)).replace(/^Connection error: /, ''),
    });
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return out;
}

export function kafkaFailure(err: unknown, conn: KafkaConnection, brokers: string[]): WalkstreamError {
  if (err instanceof WalkstreamError) return err;
  const chain = causes(err);
  const has = (test: (c: (typeof chain)[number]) => boolean) => chain.find(test);
  const inner = chain[chain.length - 1]?.message ?? String(err);

  const sasl = has(
    (c) => c.name === 'KafkaJSSASLAuthenticationError' || /SASL .*authentication failed/i.test(c.message),
  );
  if (sasl && conn.sasl !== 'none') {
    return settingError(
      'KAFKA_AUTH_FAILED',
      'kafka.password',
      `Kafka rejected the SASL login (${MECHANISM_NAMES[conn.sasl]}) for user '${conn.username}': check Username/Password (and SASL mechanism).`,
      err,
    );
  }
  const altname = has(
    (c) =>
      c.code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /altnames|does not match certificate/i.test(c.message),
  );
  if (altname) {
    return settingError(
      'KAFKA_TLS_HOSTNAME',
      'kafka.bootstrapServers',
      `The broker's TLS certificate is not issued for the name you connect to (${altname.message}): in Bootstrap servers use the host name the certificate names.`,
      err,
    );
  }
  const untrusted = has(
    (c) =>
      UNTRUSTED.has(c.code) ||
      /self[- ]signed certificate|unable to (verify|get (local )?issuer)/i.test(c.message),
  );
  if (untrusted) {
    return settingError(
      'KAFKA_TLS_UNTRUSTED',
      'kafka.caFile',
      conn.caFile
        ? `The broker's TLS certificate is not signed by the CA in ${conn.caFile} (${untrusted.message}): check CA file.`
        : `The broker's TLS certificate is signed by a CA this machine does not trust (${untrusted.message}): set CA file to your cluster's CA certificate (PEM).`,
      err,
    );
  }
  const tls = has(
    (c) => /^ERR_TLS|^ERR_SSL|^EPROTO$|^CERT_|_CERT$/.test(c.code) || /SSL|TLS/.test(c.message),
  );
  if (tls) {
    return settingError(
      'KAFKA_TLS_FAILED',
      'kafka.tls',
      `The TLS handshake with the brokers failed (${tls.message}): check TLS${conn.tls ? ' (is the listener at Bootstrap servers a TLS one?), CA file and the client certificate' : ''}.`,
      err,
    );
  }
  return settingError(
    'KAFKA_UNREACHABLE',
    'kafka.bootstrapServers',
    `No Kafka broker answered at ${brokers.join(', ')} (${inner}): check Bootstrap servers, that this machine can reach them (VPN, firewall), and that TLS and SASL mechanism match the listener.`,
    err,
  );
}

/**
 * A write with an empty body: InfluxDB authorizes it like any write (401 for an unknown token, 403
 * for one without write access to the bucket, 404 for an unknown org or bucket; checked against
 * InfluxDB 2.9) and stores nothing. Then one read, because the chart needs it too.
 */
export async function checkInflux(target: InfluxTarget, timeoutMs = 5_000): Promise<void> {
  const q = new URLSearchParams({ org: target.org, bucket: target.bucket, precision: 'ms' });
  const headers = { Authorization: `Token ${target.token}` };
  const write = await request(target, `/api/v2/write?${q}`, { method: 'POST', headers, body: '' }, timeoutMs);
  if (!write.ok) throw influxRefusal(target, write.status, await reason(write), 'write');
  const flux = `from(bucket: ${JSON.stringify(target.bucket)}) |> range(start: -1m) |> limit(n: 1)`;
  const read = await request(
    target,
    `/api/v2/query?${new URLSearchParams({ org: target.org })}`,
    { method: 'POST', headers: { ...headers, 'Content-Type': 'application/vnd.flux' }, body: flux },
    timeoutMs,
  );
  if (!read.ok) throw influxRefusal(target, read.status, await reason(read), 'read');
  await read.arrayBuffer();
}

async function request(
  target: InfluxTarget,
  path: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response> {
  try {
    return await fetch(`${target.url}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const inner = causes(err).at(-1)?.message ?? String(err);
    throw settingError(
      'INFLUX_UNREACHABLE',
      'influx.url',
      `No answer from InfluxDB at ${target.url} (${inner}): check InfluxDB URL.`,
      err,
    );
  }
}

async function reason(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    return text.slice(0, 200);
  }
}

function influxRefusal(
  target: InfluxTarget,
  status: number,
  why: string,
  what: 'write' | 'read',
): WalkstreamError {
  if (status === 401) {
    return settingError(
      'INFLUX_AUTH_FAILED',
      'influx.token',
      `InfluxDB did not accept the token (401 ${why}): check Token.`,
    );
  }
  if (status === 403) {
    return what === 'write'
      ? settingError(
          'INFLUX_NO_WRITE',
          'influx.token',
          `The InfluxDB token may not write to bucket "${target.bucket}" (403 ${why}): check Token — use one with write access to the bucket (Telegraf writes there too).`,
        )
      : settingError(
          'INFLUX_NO_READ',
          'influx.token',
          `The InfluxDB token may not read bucket "${target.bucket}" (403 ${why}): the live chart needs read access — check Token.`,
        );
  }
  if (status === 404) {
    const org = /organization/i.test(why);
    return settingError(
      'INFLUX_NOT_FOUND',
      org ? 'influx.org' : 'influx.bucket',
      `InfluxDB at ${target.url} answered 404 ${why}: check ${org ? 'Organization' : 'Bucket'} (and that Token may see it).`,
    );
  }
  return settingError(
    'INFLUX_UNREACHABLE',
    'influx.url',
    `InfluxDB at ${target.url} answered ${status} to a ${what} (${why}): check InfluxDB URL.`,
  );
}
