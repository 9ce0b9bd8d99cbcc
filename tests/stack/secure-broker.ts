/**
 * A single-node Kafka beside the test stack with a SASL_SSL listener, standing in for a user's
 * own cluster: a CA and a broker certificate (for "localhost" only) made here with openssl, and a
 * SCRAM-SHA-512 user created with Kafka's own kafka-configs.sh. Same image as the stack's brokers.
 * Also an InfluxDB token with read rights only, made through the InfluxDB API.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stackEnv, waitUntil } from './stack-env';

const run = promisify(execFile);

export interface SecureBroker {
  /** localhost:<port>: the name in the broker's certificate. */
  bootstrap: string;
  port: number;
  caFile: string;
  username: string;
  password: string;
  remove(): Promise<void>;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

export async function startSecureBroker(port: number): Promise<SecureBroker> {
  const name = `${stackEnv.project}-secure-kafka`;
  const dir = mkdtempSync(join(tmpdir(), 'walkstream-secure-kafka-'));
  await openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=walkstream-test-ca',
  );
  await openssl(
    dir,
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'broker.key',
    '-out',
    'broker.csr',
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost\n');
  await openssl(
    dir,
    'x509',
    '-req',
    '-in',
    'broker.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'broker.crt',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  // Kafka's PEM key store: the unencrypted PKCS#8 key and the certificate in one file.
  await openssl(dir, 'pkcs8', '-topk8', '-nocrypt', '-in', 'broker.key', '-out', 'broker.p8');
  const { stdout: key } = await run('cat', [join(dir, 'broker.p8'), join(dir, 'broker.crt')]);
  writeFileSync(join(dir, 'broker.pem'), key);
  writeFileSync(
    join(dir, 'server.properties'),
    [
      'node.id=1',
      'process.roles=broker,controller',
      'controller.quorum.voters=1@localhost:9093',
      'controller.listener.names=CONTROLLER',
      `listeners=INTERNAL://:19092,CONTROLLER://:9093,SECURE://:${port}`,
      `advertised.listeners=INTERNAL://localhost:19092,SECURE://localhost:${port}`,
      'listener.security.protocol.map=INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SECURE:SASL_SSL',
      'inter.broker.listener.name=INTERNAL',
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'listener.name.secure.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'ssl.keystore.type=PEM',
      'ssl.keystore.location=/mnt/shared/config/broker.pem',
      'log.dirs=/var/lib/kafka/data',
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      '',
    ].join('\n'),
  );
  // The broker runs as its image's user, not ours.
  for (const f of ['broker.pem', 'server.properties']) chmodSync(join(dir, f), 0o644);
  chmodSync(dir, 0o755);

  const docker = (...args: string[]) => run(stackEnv.docker, args, { maxBuffer: 16 * 1024 * 1024 });
  await docker('rm', '-f', name).catch(() => {});
  await docker(
    'run',
    '-d',
    '--name',
    name,
    '--memory',
    '768m',
    '-e',
    'KAFKA_HEAP_OPTS=-Xms256m -Xmx256m',
    '-p',
    `127.0.0.1:${port}:${port}`,
    '-v',
    `${dir}:/mnt/shared/config:ro`,
    'walkstream-local/kafka:4.4.0',
  );
  const remove = async () => {
    await docker('rm', '-f', '-v', name).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Same readiness probe as the stack's healthcheck: an ApiVersions answer on the plaintext listener.
    await waitUntil(
      'the secure broker answers',
      () =>
        docker(
          'exec',
          name,
          'bash',
          '-c',
          "exec 3<>/dev/tcp/localhost/19092 && printf '\\x00\\x00\\x00\\x0a\\x00\\x12\\x00\\x00\\x00\\x00\\x00\\x01\\xff\\xff' >&3 && timeout 5 head -c 10 <&3 | od -An -tx1 | grep -q '00 00 00 01 00 00$'",
        ).then(() => true),
      (ok) => ok,
      120_000,
      1_000,
    );
    const username = 'walker';
    const password = `pw-${Date.now().toString(36)}`;
    await docker(
      'exec',
      name,
      '/opt/kafka/bin/kafka-configs.sh',
      '--bootstrap-server',
      'localhost:19092',
      '--alter',
      '--add-config',
      `SCRAM-SHA-512=[password=${password}]`,
      '--entity-type',
      'users',
      '--entity-name',
      username,
    );
    return { bootstrap: `localhost:${port}`, port, caFile: join(dir, 'ca.pem'), username, password, remove };
  } catch (err) {
    const logs = await docker('logs', '--tail', '40', name)
      .then((r) => r.stdout + r.stderr)
      .catch(() => '');
    await remove();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
}

/** An InfluxDB API token that may read the test bucket but not write it. */
export async function readOnlyInfluxToken(): Promise<string> {
  const api = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(`${stackEnv.influxUrl}${path}`, {
      ...init,
      headers: { Authorization: `Token ${stackEnv.influxToken}`, 'Content-Type': 'application/json' },
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const [org] = (
    await api<{ orgs: { id: string }[] }>(`/api/v2/orgs?org=${encodeURIComponent(stackEnv.influxOrg)}`)
  ).orgs;
  const [bucket] = (
    await api<{ buckets: { id: string }[] }>(
      `/api/v2/buckets?name=${encodeURIComponent(stackEnv.influxBucket)}&orgID=${org?.id}`,
    )
  ).buckets;
  const auth = await api<{ token: string }>('/api/v2/authorizations', {
    method: 'POST',
    body: JSON.stringify({
      orgID: org?.id,
      description: 'walkstream test: read only',
      permissions: [{ action: 'read', resource: { type: 'buckets', id: bucket?.id, orgID: org?.id } }],
    }),
  });
  return auth.token;
}
