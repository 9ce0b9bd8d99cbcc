/**
 * The diagnosis line: which hop is stuck, the cause the app can see, and what to do. Every rule
 * fires on a signal the app really has (a container's state and exit code, Kafka's partition
 * leaders, Telegraf's counters, an HTTP status of the app's own query); where the signal shows a
 * stall but not its cause, the rule says so instead of guessing.
 */
import { BROKER_SERVICES, type FlowDiagnosis, type FlowHopName, type ServiceName } from '../contract/data';
import {
  bringBack,
  brokersNotRunning,
  containerProblem,
  describeBrokers,
  startBrokers,
} from './container-words';
import {
  type FlowSignals,
  fmtCount,
  fmtSeconds,
  kafkaBacklog,
  STALL_MS,
  service,
  stackUp,
} from './flow-signals';

/** A diagnosis and what it makes of its hop in the strip. */
export interface Finding extends FlowDiagnosis {
  marks: 'down' | 'stalled' | 'degraded';
}

type Rule = (s: FlowSignals) => Finding | null;

function finding(
  id: string,
  hop: FlowHopName,
  severity: FlowDiagnosis['severity'],
  marks: Finding['marks'],
  problem: string,
  cause: string,
  action: string,
): Finding {
  return { id, hop, severity, marks, problem, cause, action };
}

const down = (s: FlowSignals, name: ServiceName) => (stackUp(s) ? containerProblem(service(s, name)) : null);
const isDown = (s: FlowSignals, name: ServiceName) => {
  const state = service(s, name)?.state;
  return state !== undefined && state !== 'running';
};

export const telegrafDown: Rule = (s) => {
  const problem = down(s, 'telegraf');
  if (!problem || !isDown(s, 'telegraf')) return null;
  const waiting = kafkaBacklog(s);
  return finding(
    'telegraf-down',
    'telegraf',
    'bad',
    'down',
    'Telegraf is not consuming',
    `${problem}${waiting ? `; ${fmtCount(waiting)} points wait in Kafka` : ''}`,
    bringBack(s, 'telegraf'),
  );
};

export const influxDown: Rule = (s) => {
  const problem = down(s, 'influxdb');
  if (!problem || !isDown(s, 'influxdb')) return null;
  const state = service(s, 'influxdb')?.state;
  const held = s.telegraf?.reachable ? (s.telegraf.bufferedPoints ?? 0) : 0;
  return finding(
    'influx-down',
    'influxdb',
    'bad',
    'down',
    `InfluxDB is ${state === 'paused' ? 'paused' : state === 'restarting' ? 'restarting' : 'stopped'}`,
    `${problem}${held > 0 ? `; Telegraf holds ${fmtCount(held)} points, waiting` : ''}`,
    bringBack(s, 'influxdb'),
  );
};

export const kafkaUnreachable: Rule = (s) => {
  if (!stackUp(s) || !s.kafka || s.kafka.reachable) return null;
  const brokers = brokersNotRunning(s);
  return finding(
    'kafka-unreachable',
    'kafka',
    'bad',
    'down',
    'Kafka does not answer',
    brokers.length > 0
      ? describeBrokers(brokers)
      : `no broker answers (${s.kafka.error?.message ?? 'no reply'})`,
    brokers.length > 0 ? startBrokers(s, brokers) : 'See the brokers’ logs on their service cards',
  );
};

export const leaderless: Rule = (s) => {
  if (!s.kafka?.reachable) return null;
  const parts = s.kafka.partitions.filter((p) => p.leader < 0).map((p) => p.partition);
  if (parts.length === 0) return null;
  const brokers = brokersNotRunning(s);
  return finding(
    'leaderless',
    'kafka',
    'bad',
    'stalled',
    `Kafka: partition${parts.length > 1 ? 's' : ''} ${parts.join(', ')} ${parts.length > 1 ? 'have' : 'has'} no leader`,
    brokers.length > 0
      ? `${brokers.length} broker${brokers.length > 1 ? 's' : ''} down (${describeBrokers(brokers)})`
      : 'no in-sync replica is left to lead',
    brokers.length > 0 ? startBrokers(s, brokers) : 'See the brokers’ logs on their service cards',
  );
};

export const influxRefuses: Rule = (s) => {
  const status = s.influx.error?.status;
  if (status !== 401 && status !== 403) return null;
  const writeErrors = s.run.recentWriteErrors ?? 0;
  return finding(
    'influx-refuses',
    'influxdb',
    'bad',
    'down',
    writeErrors > 0 ? 'InfluxDB refuses writes' : 'InfluxDB refuses the app’s queries',
    `${status} ${status === 401 ? 'unauthorized' : 'forbidden'} — the token in the stack's .env does not match the InfluxDB volume${
      writeErrors > 0 ? `; Telegraf's writes failed ${fmtCount(writeErrors)} times in the last 10 s` : ''
    }`,
    'Put back the .env that created InfluxDB’s data, or stop the stack and delete its old data',
  );
};

export const producerNotAcknowledged: Rule = (s) => {
  const m = s.producer?.metrics;
  if (!s.run.producing || !m || m.queuedPoints <= 0 || s.stillMs.acknowledged < STALL_MS) return null;
  const brokers = brokersNotRunning(s);
  const lastError = s.producer?.error?.message ?? m.lastError?.message ?? null;
  return finding(
    'producer-not-acknowledged',
    'kafka',
    'bad',
    'stalled',
    'Kafka is not acknowledging',
    `${fmtCount(m.queuedPoints)} points wait in the producer, none acknowledged for ${fmtSeconds(s.stillMs.acknowledged)}${
      lastError ? `; last error: ${lastError}` : ''
    }`,
    brokers.length > 0 ? startBrokers(s, brokers) : 'See the Kafka panel and the brokers’ logs',
  );
};

export const telegrafNotConsuming: Rule = (s) => {
  if (!stackUp(s) || isDown(s, 'telegraf') || isDown(s, 'influxdb') || s.influx.error) return null;
  const waiting = kafkaBacklog(s);
  const lag = s.kafka?.totalLag ?? 0;
  if (!waiting || lag <= 0 || s.stillMs.consumed < STALL_MS) return null;
  return finding(
    'telegraf-not-consuming',
    'telegraf',
    'bad',
    'stalled',
    'Telegraf is not consuming',
    s.telegraf?.reachable
      ? `it has consumed nothing for ${fmtSeconds(s.stillMs.consumed)} while ${fmtCount(waiting)} points wait in Kafka`
      : `its metrics do not answer (${s.telegraf?.error?.message ?? 'no reply'}) and ${fmtCount(lag)} messages wait in Kafka`,
    'See Telegraf’s logs on its service card, then Restart telegraf',
  );
};

export const telegrafWritesFail: Rule = (s) => {
  const errors = s.run.recentWriteErrors ?? 0;
  if (
    errors <= 0 ||
    isDown(s, 'influxdb') ||
    s.influx.error?.status === 401 ||
    s.influx.error?.status === 403
  )
    return null;
  const stuck = (s.telegraf?.bufferedPoints ?? 0) > 0 && s.stillMs.written >= STALL_MS;
  return finding(
    'telegraf-writes-fail',
    'telegraf',
    stuck ? 'bad' : 'warn',
    stuck ? 'stalled' : 'degraded',
    'Telegraf’s writes to InfluxDB fail',
    `${fmtCount(errors)} failed writes in the last 10 s; ${
      s.influx.error
        ? `the app’s queries fail too (${s.influx.error.message})`
        : 'InfluxDB answers the app’s queries'
    }`,
    'See Telegraf’s logs on its service card',
  );
};

export const telegrafNotWriting: Rule = (s) => {
  const held = s.telegraf?.reachable ? (s.telegraf.bufferedPoints ?? 0) : 0;
  if (!stackUp(s) || held <= 0 || s.stillMs.written < STALL_MS) return null;
  if (isDown(s, 'influxdb') || isDown(s, 'telegraf') || s.influx.error || (s.run.recentWriteErrors ?? 0) > 0)
    return null;
  return finding(
    'telegraf-not-writing',
    'telegraf',
    'bad',
    'stalled',
    `Telegraf holds ${fmtCount(held)} points and writes none`,
    `nothing written for ${fmtSeconds(s.stillMs.written)}, with no write error counted and InfluxDB answering: the cause is not visible here`,
    'See Telegraf’s logs on its service card',
  );
};

export const telegrafDropped: Rule = (s) => {
  const dropped = s.run.dropped ?? 0;
  if (dropped <= 0) return null;
  return finding(
    'telegraf-dropped',
    'telegraf',
    'bad',
    'degraded',
    `Data loss: Telegraf dropped ${fmtCount(dropped)} points this run`,
    `its output buffer (${fmtCount(s.telegraf?.bufferLimit ?? 0)} points) overflowed`,
    'Check telegraf.conf against docs/no-drop.md: the buffer must hold two undelivered windows',
  );
};

export const influxQueryFails: Rule = (s) => {
  const e = s.influx.error;
  if (!stackUp(s) || !e || e.status === 401 || e.status === 403 || isDown(s, 'influxdb')) return null;
  return finding(
    'influx-query-fails',
    'influxdb',
    'warn',
    'degraded',
    'InfluxDB does not answer the app’s queries',
    e.status ? `HTTP ${e.status}: ${e.message}` : e.message,
    'See InfluxDB’s logs on its service card',
  );
};

export const brokersDown: Rule = (s) => {
  const brokers = brokersNotRunning(s);
  if (brokers.length === 0 || !s.kafka?.reachable || s.kafka.partitions.some((p) => p.leader < 0))
    return null;
  const present = BROKER_SERVICES.filter((b) => {
    const state = service(s, b)?.state;
    return state !== undefined && state !== 'not-available';
  }).length;
  const under = s.kafka.underReplicated;
  return finding(
    'brokers-down',
    'kafka',
    'warn',
    'degraded',
    `Kafka runs on ${present - brokers.length} of ${present} brokers`,
    `${describeBrokers(brokers)}${under > 0 ? `; ${under} partition${under > 1 ? 's' : ''} under-replicated` : ''}`,
    startBrokers(s, brokers),
  );
};

export const producerBehind: Rule = (s) => {
  const m = s.producer?.metrics;
  if (!s.run.producing || !m) return null;
  const behind = m.lagMs > 1_000;
  if (!behind && s.run.recentSkippedTicks <= 0) return null;
  const acked = s.rates.acknowledged ?? m.pointsPerSecond;
  // Kafka is the limit when at least a second of data waits for it; otherwise generating is.
  const kafkaBound = m.queuedPoints >= Math.max(1, acked);
  return finding(
    'producer-behind',
    'producer',
    'warn',
    'degraded',
    behind
      ? `Producer is behind schedule by ${fmtSeconds(m.lagMs)}`
      : `Producer skipped ${fmtCount(s.run.recentSkippedTicks)} ticks in the last 10 s`,
    kafkaBound
      ? `the asked rate is more than Kafka takes here: ${fmtCount(acked)} of ${fmtCount(s.run.askedPerSecond)} points/s acknowledged, ${fmtCount(m.queuedPoints)} queued`
      : `generating ${fmtCount(s.run.askedPerSecond)} points/s is more than this machine keeps up with (little waits for Kafka)`,
    'Lower the rate or the number of walks',
  );
};

export const otherProducer: Rule = (s) => {
  if (!s.headlessProducer || !s.run.producing) return null;
  return finding(
    'other-producer',
    'producer',
    'warn',
    'degraded',
    'Another producer is writing the same walks',
    'the headless producer container (Compose profile "headless") runs beside this app’s producer, both as w0000…',
    'Stop one of them: npm run headless:down, or Stop pipeline here',
  );
};

export const foreignWriter: Rule = (s) => {
  const rate = s.kafka?.reachable ? s.kafka.messagesPerSecond : 0;
  if (s.run.producing || rate <= 0 || (s.run.stoppedForMs !== null && s.run.stoppedForMs < 5_000))
    return null;
  return finding(
    'foreign-writer',
    'kafka',
    'warn',
    'degraded',
    'Something else writes to the topic',
    `${fmtCount(rate)} messages/s arrive while this app’s producer is stopped${
      s.headlessProducer ? '; the headless producer container is running' : ''
    }`,
    s.headlessProducer
      ? 'That is headless mode; npm run headless:down stops it'
      : 'Find the other producer: Kafka UI lists the topic’s traffic',
  );
};

/** In order of precedence: a stopped container explains the stalls it causes further down. */
const RULES: Rule[] = [
  telegrafDown,
  influxDown,
  kafkaUnreachable,
  leaderless,
  influxRefuses,
  producerNotAcknowledged,
  telegrafNotConsuming,
  telegrafWritesFail,
  telegrafNotWriting,
  telegrafDropped,
  influxQueryFails,
  brokersDown,
  producerBehind,
  otherProducer,
  foreignWriter,
];

/** Every rule that fires, the bad ones first, each group in the rules' order. */
export function diagnose(s: FlowSignals): Finding[] {
  const found = RULES.map((rule) => rule(s)).filter((f): f is Finding => f !== null);
  return [...found.filter((f) => f.severity === 'bad'), ...found.filter((f) => f.severity === 'warn')];
}
