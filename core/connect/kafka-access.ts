/**
 * From the connect-mode settings to what a kafkajs client needs (brokers, TLS, SASL), with the
 * files read and every missing piece reported by the setting the user has to fill in.
 */
import { readFileSync } from 'node:fs';
import type { KafkaConfig } from 'kafkajs';
import type { InfluxConnection, KafkaConnection } from '../contract/connection';
import { WalkstreamError } from '../contract/errors';

/** TLS and SASL options, spread into a kafkajs client's config. */
export type KafkaSecurity = Pick<KafkaConfig, 'ssl' | 'sasl'>;

export interface KafkaAccess {
  brokers: string[];
  security: KafkaSecurity;
}

export interface InfluxTarget extends InfluxConnection {
  token: string;
}

/** The settings' names as the Settings section labels them: errors point at these. */
export const SETTING_LABELS = {
  'kafka.bootstrapServers': 'Bootstrap servers',
  'kafka.sasl': 'SASL mechanism',
  'kafka.username': 'Username',
  'kafka.password': 'Password',
  'kafka.tls': 'TLS',
  'kafka.caFile': 'CA file',
  'kafka.certFile': 'Client certificate',
  'kafka.keyFile': 'Client key',
  'influx.url': 'InfluxDB URL',
  'influx.org': 'Organization',
  'influx.bucket': 'Bucket',
  'influx.token': 'Token',
} as const;
export type SettingName = keyof typeof SETTING_LABELS;

/** An error that names the setting to fix, in `details.setting` for the UI to point at. */
export function settingError(
  code: ConstructorParameters<typeof WalkstreamError>[0],
  setting: SettingName,
  message: string,
  cause?: unknown,
): WalkstreamError {
  return new WalkstreamError(code, message, { cause, details: { setting, label: SETTING_LABELS[setting] } });
}

export const MECHANISM_NAMES = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
} as const;

export function kafkaAccess(conn: KafkaConnection, password: string): KafkaAccess {
  if (conn.bootstrapServers.length === 0) {
    throw settingError(
      'CONNECT_INCOMPLETE',
      'kafka.bootstrapServers',
      'Connect mode needs at least one Kafka broker: fill in Bootstrap servers.',
    );
  }
  const security: KafkaSecurity = {};
  if (conn.sasl !== 'none') {
    const mechanism = MECHANISM_NAMES[conn.sasl];
    if (!conn.username)
      throw settingError(
        'CONNECT_INCOMPLETE',
        'kafka.username',
        `SASL ${mechanism} needs a user name: fill in Username.`,
      );
    if (!password)
      throw settingError(
        'CONNECT_INCOMPLETE',
        'kafka.password',
        `SASL ${mechanism} needs a password: fill in Password.`,
      );
    security.sasl = { mechanism: conn.sasl, username: conn.username, password } as KafkaSecurity['sasl'];
  }
  if (conn.tls) {
    if (Boolean(conn.certFile) !== Boolean(conn.keyFile)) {
      const missing = conn.certFile ? 'kafka.keyFile' : 'kafka.certFile';
      throw settingError(
        'CONNECT_INCOMPLETE',
        missing,
        `A client certificate needs its key and the key its certificate: fill in ${SETTING_LABELS[missing]}, or clear both.`,
      );
    }
    // Given a CA file, Node trusts only it (not the system's CAs): what a private cluster wants.
    security.ssl = {
      ...(conn.caFile ? { ca: [pemFile(conn.caFile, 'kafka.caFile')] } : {}),
      ...(conn.certFile ? { cert: pemFile(conn.certFile, 'kafka.certFile') } : {}),
      ...(conn.keyFile ? { key: pemFile(conn.keyFile, 'kafka.keyFile') } : {}),
    };
  }
  return { brokers: [...conn.bootstrapServers], security };
}

export function influxTarget(conn: InfluxConnection, token: string): InfluxTarget {
  if (!conn.url)
    throw settingError(
      'CONNECT_INCOMPLETE',
      'influx.url',
      'Connect mode needs your InfluxDB: fill in InfluxDB URL.',
    );
  if (!conn.org) throw settingError('CONNECT_INCOMPLETE', 'influx.org', 'Fill in the InfluxDB Organization.');
  if (!conn.bucket) throw settingError('CONNECT_INCOMPLETE', 'influx.bucket', 'Fill in the InfluxDB Bucket.');
  if (!token)
    throw settingError(
      'CONNECT_INCOMPLETE',
      'influx.token',
      'Fill in the InfluxDB Token (an API token with read and write access to the bucket).',
    );
  return { ...conn, url: conn.url.replace(/\/+$/, ''), token };
}

function pemFile(path: string, setting: SettingName): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw settingError(
      'CONNECT_FILE_UNREADABLE',
      setting,
      `Cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): check ${SETTING_LABELS[setting]}.`,
      err,
    );
  }
  if (!text.includes('-----BEGIN ')) {
    throw settingError(
      'CONNECT_FILE_UNREADABLE',
      setting,
      `${path} is not a PEM file (no "-----BEGIN" line): check ${SETTING_LABELS[setting]}.`,
    );
  }
  return text;
}
