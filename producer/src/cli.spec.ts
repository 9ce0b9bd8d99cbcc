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

/** Each point's value by walk and step: what the seed decides (timestamps and line order are not). */
const valuesOf = (out: string) =>
  new Map(
    out
      .trim()
      .split('\n')
      .map((l) => {
        const m = /walk=(\S+) value=([^,]+),seq=(\d+)i/.exec(l);
        return [`${m?.[1]}/${m?.[3]}`, m?.[2]] as const;
      }),
  );

describe('walkstream-producer CLI', () => {
  it('prints line protocol with --dry-run, the same values for the same seed', async () => {
    // A tick count, not a duration: how many ticks a duration holds depends on the machine's load.
    const args = ['--dry-run', '--walks', '3', '--rate', '50', '--seed', '11', '--ticks', '15'];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    expect(a.code).toBe(0);
    const lines = a.stdout.trim().split('\n');
    expect(lines).toHaveLength(45);
    for (const line of lines)
      expect(line).toMatch(/^random_walk,walk=w000[0-2] value=-?[\d.e+-]+,seq=\d+i \d{19}$/);
    expect(valuesOf(a.stdout).size).toBe(45);
    expect(valuesOf(b.stdout)).toEqual(valuesOf(a.stdout));
  });

  it('takes parameters from environment variables', async () => {
    const r = await runCli([], {
      WALKSTREAM_DRY_RUN: '1',
      WALKSTREAM_WALKS: '2',
      WALKSTREAM_TICKS: '1',
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

  it('prints progress on stderr: points produced, rate, latency, lag', async () => {
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
