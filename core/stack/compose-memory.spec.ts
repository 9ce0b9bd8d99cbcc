import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeMemoryLimitBytes, parseMemoryBytes } from './compose-memory';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const dir = mkdtempSync(join(tmpdir(), 'ws-compose-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const base = file(
  'compose.yaml',
  `
x-broker: &broker
  image: kafka
  mem_limit: 1g
services:
  broker-1:
    <<: *broker
  broker-2:
    <<: *broker
  init:
    mem_limit: 256m
  db:
    deploy:
      resources:
        limits:
          memory: 768M
  unlimited:
    image: busybox
  headless:
    profiles: [headless]
    mem_limit: 512m
`,
);

describe('composeMemoryLimitBytes', () => {
  it('adds the limits of the services `up` starts, following merge keys, skipping other profiles', () => {
    expect(composeMemoryLimitBytes([base], [])).toBe(2 * GiB + 256 * MiB + 768 * MiB);
    expect(composeMemoryLimitBytes([base], ['headless'])).toBe(2 * GiB + 256 * MiB + 768 * MiB + 512 * MiB);
    expect(composeMemoryLimitBytes([base], ['*'])).toBe(composeMemoryLimitBytes([base], ['headless']));
  });

  it('lets a later file change a limit or move a service to a profile, as Compose merges them', () => {
    const override = file(
      'override.yaml',
      'services:\n  broker-2:\n    profiles: [unavailable-locally]\n  init:\n    mem_limit: 128m\n  db:\n    scale: 2\n',
    );
    expect(composeMemoryLimitBytes([base, override], [])).toBe(1 * GiB + 128 * MiB + 2 * 768 * MiB);
  });

  it('reads the real stack: the Kafka brokers count (merge keys), the headless producer does not', () => {
    const stack = new URL('../../stack/compose.yaml', import.meta.url).pathname;
    const services = (
      parse(readFileSync(stack, 'utf8'), { merge: true }) as {
        services: Record<string, { mem_limit?: string; profiles?: string[] }>;
      }
    ).services;
    const total = composeMemoryLimitBytes([stack], []);
    expect(total).toBeGreaterThan(0);
    const brokers = ['kafka-1', 'kafka-2', 'kafka-3'].map(
      (s) => parseMemoryBytes(services[s]?.mem_limit) ?? 0,
    );
    expect(brokers.every((b) => b > 0)).toBe(true);
    const sumOfBrokers = brokers.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(sumOfBrokers);
    const headless = Object.values(services).filter((s) => s.profiles?.includes('headless'));
    expect(headless.length).toBeGreaterThan(0);
    const withHeadless = composeMemoryLimitBytes([stack], ['headless']);
    expect(withHeadless - total).toBe(headless.reduce((a, s) => a + (parseMemoryBytes(s.mem_limit) ?? 0), 0));
  });

  it('throws on a file that is not there', () => {
    expect(() => composeMemoryLimitBytes([join(dir, 'missing.yaml')], [])).toThrow(/ENOENT/);
  });
});

describe('parseMemoryBytes', () => {
  it("reads Compose's sizes in powers of 1024", () => {
    expect(parseMemoryBytes('1g')).toBe(GiB);
    expect(parseMemoryBytes('768m')).toBe(768 * MiB);
    expect(parseMemoryBytes('512MB')).toBe(512 * MiB);
    expect(parseMemoryBytes('1.5g')).toBe(1.5 * GiB);
    expect(parseMemoryBytes('64k')).toBe(64 * 1024);
    expect(parseMemoryBytes(1_000_000)).toBe(1_000_000);
    expect(parseMemoryBytes('1000000')).toBe(1_000_000);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Compose variable, literally
    expect(parseMemoryBytes('${MEM:-1g}')).toBeNull();
    expect(parseMemoryBytes(undefined)).toBeNull();
  });
});
