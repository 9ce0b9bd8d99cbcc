import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { WalkstreamError } from '../contract/errors';
import { SettingsStore } from '../settings/settings-store';
import { ConnectionService } from './connection-service';
import { createSecretStore } from './secret-store';

function service(checks: { kafka?: () => Promise<void>; influx?: () => Promise<void> } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'walkstream-connection-'));
  const settingsPath = join(dir, 'settings.json');
  const checkKafka = vi.fn(async () => {
    await checks.kafka?.();
    return { brokers: 3, controller: 1 };
  });
  const checkInflux = vi.fn(async () => checks.influx?.());
  const svc = new ConnectionService({
    settings: new SettingsStore(settingsPath),
    secrets: createSecretStore(dir),
    checkKafka,
    checkInflux,
    now: () => 42,
  });
  svc.update({
    mode: 'connect',
    kafka: { bootstrapServers: ['k:9093'], sasl: 'plain', username: 'u', password: 'hunter2' },
    influx: { url: 'https://influx.example', org: 'o', bucket: 'b', token: 'tok' },
  });
  return { svc, settingsPath, checkKafka, checkInflux };
}

describe('ConnectionService', () => {
  it('keeps secrets out of the settings file and out of what the UI sees', () => {
    const { svc, settingsPath } = service();
    const file = readFileSync(settingsPath, 'utf8');
    expect(file).toContain('k:9093');
    expect(file).not.toContain('hunter2');
    expect(file).not.toContain('tok');
    const view = svc.view();
    expect(JSON.stringify(view)).not.toContain('hunter2');
    expect(view.secrets).toEqual({ kafkaPassword: 'set', influxToken: 'set' });
    expect(view.secretStore.kind).toBe('file');
  });

  it('gives the clients everything, secrets included', () => {
    const { svc } = service();
    expect(svc.kafka().security.sasl).toEqual({ mechanism: 'plain', username: 'u', password: 'hunter2' });
    expect(svc.influx().token).toBe('tok');
  });

  it('keeps one security object until the settings change, so a Kafka client is reused until then', () => {
    const { svc } = service();
    const first = svc.kafka().security;
    expect(svc.kafka().security).toBe(first);
    svc.update({ kafka: { username: 'v' } });
    expect(svc.kafka().security).not.toBe(first);
  });

  it('passes only when both Kafka and InfluxDB pass', async () => {
    const { svc } = service();
    expect(await svc.check()).toEqual({
      kafka: { brokers: 3, controller: 1 },
      influx: { url: 'https://influx.example', bucket: 'b' },
      checkedAt: 42,
    });
    expect(svc.lastCheck()?.checkedAt).toBe(42);
  });

  it('fails with the failing side’s error, and forgets an earlier success', async () => {
    const refusal = new WalkstreamError('INFLUX_NO_WRITE', 'no write');
    const { svc } = service({ influx: async () => Promise.reject(refusal) });
    await expect(svc.check()).rejects.toBe(refusal);
    expect(svc.lastCheck()).toBeNull();
  });

  it('reports missing settings before asking the cluster', async () => {
    const { svc, checkKafka } = service();
    svc.update({ kafka: { password: '' } });
    await expect(svc.check()).rejects.toMatchObject({
      code: 'CONNECT_INCOMPLETE',
      details: { setting: 'kafka.password' },
    });
    expect(checkKafka).not.toHaveBeenCalled();
  });
});
