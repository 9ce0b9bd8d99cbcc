import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const valuesOf = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => l.replace(/ \d+$/, ''));

describe('walkstream-producer CLI', () => {
  it('prints line protocol with --dry-run, the same values for the same seed', async () => {
    const args = ['--dry-run', '--walks', '3', '--rate', '50', '--seed', '11', '--duration', '0.3'];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    expect(a.code).toBe(0);
    const lines = a.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(9);
    for (const line of lines)
      expect(line).toMatch(/^random_walk,walk=w000[0-2] value=-?[\d.e+-]+,seq=\d+i \d{19}$/);
    const n = Math.min(lines.length, b.stdout.trim().split('\n').length);
    expect(valuesOf(a.stdout).slice(0, n)).toEqual(valuesOf(b.stdout).slice(0, n));
  });

  it('takes parameters from environment variables', async () => {
    const r = await runCli([], {
      WALKSTREAM_DRY_RUN: '1',
      WALKSTREAM_WALKS: '2',
      WALKSTREAM_DURATION: '0.1',
    });
    expect(r.code).toBe(0);
    expect(
      new Set(
        r.stdout
          .trim()
          .split('\n')
          .map((l) => l.split(' ')[0]),
      ),
    ).toEqual(new Set(['random_walk,walk=w0000', 'random_walk,walk=w0001']));
  });

  it('prints a progress line every second on stderr', async () => {
    const r = await runCli(['--dry-run', '--duration', '1.2']);
    expect(r.stderr).toMatch(
      /\[walkstream\] produced [\d,]+ \| [\d,]+ pts\/s \| latency .* \| lag [\d,]+ ms/,
    );
  });

  it('exits 2 with a message naming the flag on bad usage', async () => {
    const r = await runCli(['--walks', '0', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--walks: must be from 1 to 10000');
    const unknown = await runCli(['--wlaks', '3']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--wlaks'");
  });

  it('exits 1 naming the broker list when no broker answers', async () => {
    // Nothing listens on port 1: a real connection refusal, given up after the bounded wait.
    const r = await runCli(['--brokers', '127.0.0.1:1,127.0.0.1:2', '--connect-timeout', '1.5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot reach the Kafka brokers 127.0.0.1:1, 127.0.0.1:2');
    expect(r.stderr).toMatch(/ECONNREFUSED/);
  });
});
