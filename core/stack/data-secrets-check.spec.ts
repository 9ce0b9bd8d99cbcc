import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adoptEnvFile, candidateEnvFiles, envFileWithClusterId } from './data-secrets-check';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ws secrets '));
  dirs.push(d);
  return d;
};

describe('finding the .env that matches old data', () => {
  it("looks at replaced copies beside the stack's .env and at other folders' .env, not at the current one", () => {
    const stack = tmp();
    const checkout = tmp();
    writeFileSync(join(stack, '.env'), 'KAFKA_CLUSTER_ID=new\n');
    writeFileSync(join(stack, '.env.replaced-2026-01-01'), 'KAFKA_CLUSTER_ID=older\n');
    writeFileSync(join(checkout, '.env'), 'KAFKA_CLUSTER_ID=old\n');
    const files = candidateEnvFiles(stack, [checkout, join(checkout, 'missing')]);
    expect(files).toEqual([join(stack, '.env.replaced-2026-01-01'), join(checkout, '.env')]);
    expect(envFileWithClusterId(files, 'old')).toBe(join(checkout, '.env'));
    expect(envFileWithClusterId(files, 'older')).toBe(join(stack, '.env.replaced-2026-01-01'));
    expect(envFileWithClusterId(files, 'new')).toBeNull();
  });

  it('adopting a file keeps the replaced .env beside it and leaves the new one private', () => {
    const stack = tmp();
    const other = tmp();
    writeFileSync(join(stack, '.env'), 'KAFKA_CLUSTER_ID=new\n');
    writeFileSync(join(other, '.env'), 'KAFKA_CLUSTER_ID=old\n');
    const { keptAs } = adoptEnvFile(join(stack, '.env'), join(other, '.env'));
    expect(readFileSync(join(stack, '.env'), 'utf8')).toBe('KAFKA_CLUSTER_ID=old\n');
    expect(readFileSync(keptAs as string, 'utf8')).toBe('KAFKA_CLUSTER_ID=new\n');
    expect(statSync(join(stack, '.env')).mode & 0o777).toBe(0o600);
  });
});
