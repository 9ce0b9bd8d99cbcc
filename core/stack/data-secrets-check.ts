import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { WalkstreamError } from '../contract/errors';
import { parseEnvFile } from './env-file';

/** The broker volume whose meta.properties records the cluster id it was formatted with. */
const BROKER_VOLUME = 'kafka-broker-1-data';
const DATA_DIR = '/var/lib/kafka/data';

/** The cluster id a broker volume was formatted with, read by a throw-away container; null if none. */
export async function volumeClusterId(
  docker: Dockerode,
  volume: string,
  image: string,
): Promise<string | null> {
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['cat'],
    Cmd: [`${DATA_DIR}/meta.properties`],
    HostConfig: { Binds: [`${volume}:${DATA_DIR}:ro`], NetworkMode: 'none' },
    Labels: { 'walkstream.purpose': 'data-secrets-check' },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    if (StatusCode !== 0) return null; // a volume that was never formatted
    const logs = (await container.logs({ stdout: true, stderr: false })).toString('latin1');
    return /cluster\.id=([A-Za-z0-9_-]+)/.exec(logs)?.[1] ?? null;
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
}

/** Env files that could hold the secrets the old data was made with, most likely first. */
export function candidateEnvFiles(stackDir: string, extraDirs: string[]): string[] {
  const found: string[] = [];
  for (const dir of [stackDir, ...extraDirs]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort().reverse()) {
      if (name === '.env' && dir === stackDir) continue;
      if (name === '.env' || name.startsWith('.env.replaced-')) found.push(join(dir, name));
    }
  }
  return found;
}

export function envFileWithClusterId(files: string[], clusterId: string): string | null {
  for (const f of files) {
    try {
      if (parseEnvFile(readFileSync(f, 'utf8')).KAFKA_CLUSTER_ID === clusterId) return f;
    } catch {
      // unreadable: not a candidate
    }
  }
  return null;
}

export interface DataSecretsCheckOptions {
  docker: Dockerode;
  project: string;
  /** The image kafka-1 runs (it has `cat`, and is present once the stack has run). */
  kafkaImage: string;
  env: Record<string, string>;
  envFile: string;
  stackDir: string;
  /** Other places an earlier .env may be (e.g. the source checkout's stack folder). */
  otherEnvDirs: string[];
}

/**
 * Before a start: are the project's data volumes from another `.env`? Brokers formatted for another
 * cluster id crash-loop ("Invalid cluster.id in meta.properties") and InfluxDB rejects the new token;
 * Compose would only say a broker is unhealthy. Throws a WalkstreamError naming both real fixes.
 */
export async function checkDataMatchesSecrets(opts: DataSecretsCheckOptions): Promise<void> {
  const volume = `${opts.project}_${BROKER_VOLUME}`;
  const exists = await opts.docker
    .getVolume(volume)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (!exists) return;
  const images = await opts.docker.listImages({ filters: { reference: [opts.kafkaImage] } });
  if (images.length === 0) return; // cannot look without the image; compose will pull and start it
  const found = await volumeClusterId(opts.docker, volume, opts.kafkaImage);
  const wanted = opts.env.KAFKA_CLUSTER_ID;
  if (!found || found === wanted) return;
  const match = envFileWithClusterId(candidateEnvFiles(opts.stackDir, opts.otherEnvDirs), found);
  throw new WalkstreamError(
    'STACK_DATA_FROM_OTHER_SECRETS',
    `The stack's data (Docker volumes of project "${opts.project}") was made with other secrets than ${opts.envFile}: ` +
      `the brokers were formatted for Kafka cluster ${found}, the file says ${wanted}, so they would not start. ` +
      (match
        ? `Use the matching secrets (found in ${match}), or delete the old data (its topics and stored points).`
        : 'The matching .env was not found: delete the old data (its topics and stored points) to start fresh, or put the old .env back.'),
    {
      details: {
        volumeClusterId: found,
        envClusterId: wanted,
        envFile: opts.envFile,
        matchingEnvFile: match,
      },
    },
  );
}

/**
 * Makes `source` the stack's .env; the current one is kept as `.env.replaced-<timestamp>` beside it
 * (so it is found again if its data comes back), never deleted.
 */
export function adoptEnvFile(envFile: string, source: string): { keptAs: string | null } {
  let keptAs: string | null = null;
  if (existsSync(envFile)) {
    keptAs = `${envFile}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(envFile, keptAs);
  }
  copyFileSync(source, envFile);
  chmodSync(envFile, 0o600);
  return { keptAs };
}
