import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from './cli-args';
import { DEFAULT_PARAMS } from './walk-params';

describe('CLI arguments', () => {
  it('uses defaults when nothing is given', () => {
    const c = parseCli([], {});
    expect(c.params).toEqual(DEFAULT_PARAMS);
    expect(c.brokers).toEqual(['localhost:9092', 'localhost:9094', 'localhost:9096']);
    expect(c.topic).toEqual({
      topic: 'random-walks',
      partitions: 6,
      replicationFactor: 3,
      minInsyncReplicas: 2,
    });
    expect(c.dryRun).toBe(false);
  });

  it('reads flags, with flags winning over environment variables', () => {
    const c = parseCli(['--walks', '5', '--brokers', 'a:1,b:2', '--dry-run'], {
      WALKSTREAM_WALKS: '7',
      WALKSTREAM_RATE: '20',
    });
    expect(c.params.walks).toBe(5);
    expect(c.params.rate).toBe(20);
    expect(c.brokers).toEqual(['a:1', 'b:2']);
    expect(c.dryRun).toBe(true);
  });

  it.each([
    [['--walks', 'many'], /--walks .*must be a number/],
    [['--walks', '0'], /--walks: must be from 1 to 10000/],
    [['--nope'], /Unknown option '--nope'/],
    [['--brokers', 'localhost'], /not host:port/],
    [['--duration', '-1'], /--duration/],
    [['--topic', 'bad topic'], /valid Kafka topic/],
    [['--replication-factor', '1'], /--min-insync-replicas must not exceed/],
  ])('rejects %o with a clear message', (argv, message) => {
    expect(() => parseCli(argv, {})).toThrow(UsageError);
    expect(() => parseCli(argv, {})).toThrow(message);
  });

  it('names the environment variable when its value is bad', () => {
    expect(() => parseCli([], { WALKSTREAM_RATE: 'fast' })).toThrow(/WALKSTREAM_RATE/);
  });
});
