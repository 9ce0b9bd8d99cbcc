import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureEnvFile, parseEnvFile } from './env-file';

const stackDir = new URL('../../stack/', import.meta.url).pathname;
let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureEnvFile', () => {
  it('creates stack/.env once, with fresh random secrets and the example defaults, private to the user', () => {
    dir = mkdtempSync(`${tmpdir()}/ws-env-`);
    copyFileSync(`${stackDir}.env.example`, `${dir}/.env.example`);
    const first = ensureEnvFile(dir);
    expect(first.created).toBe(true);
    expect(first.env.INFLUXDB_ADMIN_TOKEN).toMatch(/^[\w-]{64}$/);
    expect(first.env.KAFKA_CLUSTER_ID).toMatch(/^[\w-]{22}$/);
    expect(first.env.INFLUXDB_ORG).toBe('walkstream');
    expect(statSync(`${dir}/.env`).mode & 0o777).toBe(0o600);
    const again = ensureEnvFile(dir);
    expect(again.created).toBe(false);
    expect(again.env).toEqual(parseEnvFile(readFileSync(`${dir}/.env`, 'utf8')));
    expect(again.env.INFLUXDB_ADMIN_TOKEN).toBe(first.env.INFLUXDB_ADMIN_TOKEN);
  });

  it('never makes a Kafka cluster id that starts with "-" (kafka-storage would read it as an option)', () => {
    dir = mkdtempSync(`${tmpdir()}/ws-env-`);
    copyFileSync(`${stackDir}.env.example`, `${dir}/.env.example`);
    // One id in 64 would start with "-" without the guard: 400 tries miss it with p < 0.002.
    for (let i = 0; i < 400; i++) {
      expect(ensureEnvFile(dir).env.KAFKA_CLUSTER_ID).toMatch(/^[A-Za-z0-9_][\w-]{21}$/);
      rmSync(`${dir}/.env`);
    }
  });

  it('never reuses secrets between installs', () => {
    dir = mkdtempSync(`${tmpdir()}/ws-env-`);
    copyFileSync(`${stackDir}.env.example`, `${dir}/.env.example`);
    const a = ensureEnvFile(dir).env.INFLUXDB_ADMIN_TOKEN;
    rmSync(`${dir}/.env`);
    expect(ensureEnvFile(dir).env.INFLUXDB_ADMIN_TOKEN).not.toBe(a);
  });
});
