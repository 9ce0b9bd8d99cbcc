/**
 * "Connect" mode: the user's own Kafka cluster and InfluxDB instead of the local stack. The
 * settings as they are stored and shown, and the zod schema of a change. Secrets (the SASL
 * password, the InfluxDB token) travel only inward: the core keeps them out of settings.json and
 * tells the UI whether each is set, never its value.
 */
import { z } from 'zod';

export type ConnectionMode = 'local' | 'connect';
export const SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaConnection {
  /** host:port of one or more brokers; the client learns the others from the cluster. */
  bootstrapServers: string[];
  sasl: SaslMechanism;
  username: string;
  tls: boolean;
  /** PEM file of the CA that signed the brokers' certificates; empty: the system's CAs. */
  caFile: string;
  /** PEM client certificate and key, for clusters that ask for one (mutual TLS); empty: none. */
  certFile: string;
  keyFile: string;
}

export interface InfluxConnection {
  url: string;
  org: string;
  bucket: string;
}

export interface ConnectionSettings {
  mode: ConnectionMode;
  kafka: KafkaConnection;
  influx: InfluxConnection;
  /**
   * Runs the stack's Telegraf alone, as the bridge from the user's Kafka into their InfluxDB (for
   * users who have no Telegraf of their own doing it).
   */
  bridge: boolean;
}

export type SecretName = 'kafkaPassword' | 'influxToken';
export type SecretState = 'set' | 'not set';

/** Where secrets are kept: the OS keychain through Electron's safeStorage, or a 0600 file (browser mode). */
export interface SecretStoreInfo {
  kind: 'os-keychain' | 'file';
  /** The file holding them (encrypted for os-keychain). */
  path: string;
  /** One sentence for the UI, e.g. which keychain backend encrypts them. */
  note: string;
}

export interface ConnectionView {
  settings: ConnectionSettings;
  secrets: Record<SecretName, SecretState>;
  secretStore: SecretStoreInfo;
}

/** What a successful "test connection" found. */
export interface ConnectionCheck {
  kafka: { brokers: number; controller: number | null };
  influx: { url: string; bucket: string };
  checkedAt: number;
}

const hostPort = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9._-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/,
    'must be host:port, e.g. broker-1.example.com:9093',
  );
const filePath = z.string().trim().max(4_096, 'must be at most 4096 characters');
const name = z.string().trim().max(500, 'must be at most 500 characters');
const secret = z.string().max(10_000, 'must be at most 10000 characters');

export const connectionUpdateSchema = z.strictObject({
  mode: z.enum(['local', 'connect'], { error: 'must be "local" or "connect"' }).optional(),
  bridge: z.boolean({ error: 'must be true or false' }).optional(),
  kafka: z
    .strictObject({
      bootstrapServers: z.array(hostPort).max(100, 'at most 100 brokers').optional(),
      sasl: z.enum(SASL_MECHANISMS, { error: `must be one of ${SASL_MECHANISMS.join(', ')}` }).optional(),
      username: name.optional(),
      /** The SASL password: stored in the secret store, never in settings.json; "" removes it. */
      password: secret.optional(),
      tls: z.boolean().optional(),
      caFile: filePath.optional(),
      certFile: filePath.optional(),
      keyFile: filePath.optional(),
    })
    .optional(),
  influx: z
    .strictObject({
      url: z
        .string()
        .trim()
        .regex(/^$|^https?:\/\/[^\s/]+(\/.*)?$/, 'must be an http:// or https:// URL')
        .optional(),
      org: name.optional(),
      bucket: name.optional(),
      /** The InfluxDB API token: stored in the secret store, never in settings.json; "" removes it. */
      token: secret.optional(),
    })
    .optional(),
});
export type ConnectionUpdate = z.output<typeof connectionUpdateSchema>;

export const DEFAULT_CONNECTION: ConnectionSettings = {
  mode: 'local',
  kafka: {
    bootstrapServers: [],
    sasl: 'none',
    username: '',
    tls: false,
    caFile: '',
    certFile: '',
    keyFile: '',
  },
  influx: { url: '', org: '', bucket: '' },
  bridge: false,
};
