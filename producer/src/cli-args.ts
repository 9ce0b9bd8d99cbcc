import { parseArgs } from 'node:util';
import { DEFAULT_TOPIC } from './producer';
import type { TopicSpec } from './record-sink';
import { DEFAULT_PARAMS, PARAM_RANGES, type ParamName, validateParams, type WalkParams } from './walk-params';

/** A bad command line: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliConfig {
  brokers: string[];
  topic: TopicSpec;
  params: WalkParams;
  durationMs: number | undefined;
  connectTimeoutMs: number;
  /** Touched every second while producing, for container healthchecks. */
  healthFile: string | undefined;
  /** Stop after this many ticks (walks × ticks points). */
  maxTicks: number | undefined;
  dryRun: boolean;
  help: boolean;
}

const PARAM_FLAGS: Record<ParamName, string> = {
  walks: 'walks',
  rate: 'rate',
  volatility: 'volatility',
  drift: 'drift',
  theta: 'theta',
  mu: 'mu',
  start: 'start',
  seed: 'seed',
};

/** Every flag can also come from an environment variable (for the Docker image): WALKSTREAM_<FLAG>. */
export function envName(flag: string): string {
  return `WALKSTREAM_${flag.toUpperCase().replace(/-/g, '_')}`;
}

const OTHER_FLAGS = [
  'brokers',
  'topic',
  'partitions',
  'replication-factor',
  'min-insync-replicas',
  'duration',
  'connect-timeout',
  'health-file',
  'ticks',
] as const;

export const HELP = `Usage: walkstream-producer [options]

Generates random walks and sends them to Kafka as InfluxDB line protocol.

Connection:
  --brokers <list>             comma-separated bootstrap brokers (default localhost:9092,localhost:9094,localhost:9096)
  --topic <name>               topic (default ${DEFAULT_TOPIC.topic}); created if missing with:
  --partitions <n>             (default ${DEFAULT_TOPIC.partitions})
  --replication-factor <n>     (default ${DEFAULT_TOPIC.replicationFactor})
  --min-insync-replicas <n>    (default ${DEFAULT_TOPIC.minInsyncReplicas})
  --connect-timeout <seconds>  give up when no broker answers within this time (default 15)
Walks:
${(Object.keys(PARAM_FLAGS) as ParamName[])
  .map((k) => {
    const r = PARAM_RANGES[k];
    return (
      `  --${PARAM_FLAGS[k].padEnd(27)}${r.min}..${r.max} ${r.unit}`.trimEnd() +
      ` (default ${DEFAULT_PARAMS[k]})`
    );
  })
  .join('\n')}
Run:
  --duration <seconds>         stop after this long (default: run until Ctrl-C / SIGTERM)
  --ticks <n>                  stop after this many ticks (walks × ticks points)
  --health-file <path>         touch this file every second while producing (container healthchecks)
  --dry-run                    print line protocol to stdout instead of sending to Kafka
  --help                       this text

Every option can also be set by environment variable, e.g. ${envName('brokers')}, ${envName('walks')}, ${envName('dry-run')}=1.
Exit codes: 0 done, 1 runtime failure (e.g. Kafka unreachable), 2 bad usage.`;

export const DEFAULT_BROKERS = 'localhost:9092,localhost:9094,localhost:9096';

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliConfig {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    'dry-run': { type: 'boolean' },
    help: { type: 'boolean' },
  };
  for (const f of [...Object.values(PARAM_FLAGS), ...OTHER_FLAGS]) options[f] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}. Run with --help for the list of options.`);
  }
  const str = (flag: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return v;
    const e = env[envName(flag)];
    return e === undefined || e === '' ? undefined : e;
  };
  const num = (flag: string): number | undefined => {
    const raw = str(flag);
    if (raw === undefined) return undefined;
    const n = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(n)) {
      throw new UsageError(`--${flag} (or ${envName(flag)}) must be a number, got ${JSON.stringify(raw)}`);
    }
    return n;
  };
  const bool = (flag: string): boolean => {
    if (values[flag] === true) return true;
    const e = env[envName(flag)];
    return e !== undefined && /^(1|true|yes)$/i.test(e);
  };

  const candidate: Record<string, number> = { ...DEFAULT_PARAMS };
  for (const [param, flag] of Object.entries(PARAM_FLAGS)) {
    const v = num(flag);
    if (v !== undefined) candidate[param] = v;
  }
  let params: WalkParams;
  try {
    params = validateParams(candidate);
  } catch (err) {
    throw new UsageError(
      (err as Error).message.replace(/(\w+):/g, (m, f: string) => (f in PARAM_FLAGS ? `--${f}:` : m)),
    );
  }

  const brokers = (str('brokers') ?? DEFAULT_BROKERS)
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const b of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) throw new UsageError(`--brokers: "${b}" is not host:port`);
  }
  if (brokers.length === 0) throw new UsageError('--brokers: give at least one host:port');

  const positiveInt = (flag: string, dflt: number): number => {
    const v = num(flag) ?? dflt;
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`--${flag} must be a whole number ≥ 1, got ${v}`);
    return v;
  };
  const topic: TopicSpec = {
    topic: str('topic') ?? DEFAULT_TOPIC.topic,
    partitions: positiveInt('partitions', DEFAULT_TOPIC.partitions),
    replicationFactor: positiveInt('replication-factor', DEFAULT_TOPIC.replicationFactor),
    minInsyncReplicas: positiveInt('min-insync-replicas', DEFAULT_TOPIC.minInsyncReplicas),
  };
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic.topic)) {
    throw new UsageError(
      `--topic: "${topic.topic}" is not a valid Kafka topic name (letters, digits, . _ -)`,
    );
  }
  if (topic.minInsyncReplicas > topic.replicationFactor) {
    throw new UsageError('--min-insync-replicas must not exceed --replication-factor');
  }

  const duration = num('duration');
  if (duration !== undefined && !(duration > 0))
    throw new UsageError('--duration must be a positive number of seconds');

  const connectTimeout = num('connect-timeout') ?? 15;
  if (!(connectTimeout > 0)) throw new UsageError('--connect-timeout must be a positive number of seconds');

  return {
    brokers,
    connectTimeoutMs: connectTimeout * 1000,
    healthFile: str('health-file'),
    maxTicks: str('ticks') === undefined ? undefined : positiveInt('ticks', 1),
    topic,
    params,
    durationMs: duration === undefined ? undefined : duration * 1000,
    dryRun: bool('dry-run'),
    help: bool('help'),
  };
}
