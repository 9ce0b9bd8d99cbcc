import type {
  ConnectionCheck,
  ConnectionMode,
  ConnectionUpdate,
  ConnectionView,
  KafkaConnection,
} from '../contract/connection';
import type { SettingsStore } from '../settings/settings-store';
import { checkInflux, checkKafka } from './connection-check';
import { type InfluxTarget, influxTarget, type KafkaAccess, kafkaAccess } from './kafka-access';
import type { SecretStore } from './secret-store';

export interface ConnectionServiceOptions {
  settings: SettingsStore;
  secrets: SecretStore;
  /** Injected for tests; the real ones talk to the cluster (connection-check.ts). */
  checkKafka?: (access: KafkaAccess, conn: KafkaConnection) => Promise<ConnectionCheck['kafka']>;
  checkInflux?: (target: InfluxTarget) => Promise<void>;
  now?: () => number;
}

/**
 * The connect-mode settings with their secrets: what the UI sees (secrets as set / not set), what
 * the Kafka and InfluxDB clients get (everything, files read), and the check run before anything
 * is started on the user's cluster.
 */
export class ConnectionService {
  /** The clients' TLS/SASL object, kept while the settings stay the same: the Kafka stats client reconnects when it changes. */
  private access: KafkaAccess | null = null;
  private last: ConnectionCheck | null = null;

  constructor(private readonly opts: ConnectionServiceOptions) {}

  mode(): ConnectionMode {
    return this.opts.settings.get().connection.mode;
  }

  view(): ConnectionView {
    const { secrets } = this.opts;
    return {
      settings: this.opts.settings.get().connection,
      secrets: { kafkaPassword: secrets.state('kafkaPassword'), influxToken: secrets.state('influxToken') },
      secretStore: secrets.info(),
    };
  }

  update(patch: ConnectionUpdate): ConnectionView {
    const { password, ...kafka } = patch.kafka ?? {};
    const { token, ...influx } = patch.influx ?? {};
    // Secrets first: a store that cannot be written leaves the settings as they were.
    if (password !== undefined) this.opts.secrets.set('kafkaPassword', password);
    if (token !== undefined) this.opts.secrets.set('influxToken', token);
    this.opts.settings.updateConnection({ mode: patch.mode, bridge: patch.bridge, kafka, influx });
    this.access = null;
    this.last = null;
    return this.view();
  }

  /** Brokers, TLS and SASL for a kafkajs client; throws naming the setting that is missing. */
  kafka(): KafkaAccess {
    this.access ??= kafkaAccess(
      this.opts.settings.get().connection.kafka,
      this.opts.secrets.get('kafkaPassword'),
    );
    return this.access;
  }

  /** The bootstrap list, or none while the settings are incomplete (the Kafka panel then says why). */
  brokers(): string[] {
    return this.opts.settings.get().connection.kafka.bootstrapServers;
  }

  influx(): InfluxTarget {
    return influxTarget(this.opts.settings.get().connection.influx, this.opts.secrets.get('influxToken'));
  }

  /**
   * Both ends must answer before anything starts: a producer writing into a Kafka whose data
   * never reaches a readable InfluxDB (or the reverse) is the half-started state to avoid.
   * Files are read again, so a CA file replaced on disk counts.
   */
  async check(): Promise<ConnectionCheck> {
    this.access = null;
    this.last = null;
    const conn = this.opts.settings.get().connection.kafka;
    const access = this.kafka();
    const target = this.influx();
    const [kafka, influx] = await Promise.allSettled([
      (this.opts.checkKafka ?? checkKafka)(access, conn),
      (this.opts.checkInflux ?? checkInflux)(target),
    ]);
    if (kafka.status === 'rejected') throw kafka.reason;
    if (influx.status === 'rejected') throw influx.reason;
    this.last = {
      kafka: kafka.value,
      influx: { url: target.url, bucket: target.bucket },
      checkedAt: (this.opts.now ?? Date.now)(),
    };
    return this.last;
  }

  /** The secrets a bridge container needs, for the environment of the Compose run that starts it. */
  bridgeSecrets(): { kafkaPassword: string; influxToken: string } {
    return {
      kafkaPassword: this.opts.secrets.get('kafkaPassword'),
      influxToken: this.opts.secrets.get('influxToken'),
    };
  }

  /** The last successful check since the settings last changed. */
  lastCheck(): ConnectionCheck | null {
    return this.last;
  }
}
