import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LEVERS } from './levers';

const conf = readFileSync(new URL('../../stack/telegraf/telegraf.conf', import.meta.url), 'utf8');
const changedLines = (a: string, b: string) => {
  const before = a.split('\n');
  const after = b.split('\n');
  return {
    removed: before.filter((l) => !after.includes(l)),
    added: after.filter((l) => !before.includes(l)),
  };
};

describe('the Telegraf levers undo exactly their setting in the telegraf.conf users run', () => {
  it('the parser', () => {
    const lever = LEVERS.find((l) => l.name.includes('parser'));
    expect(changedLines(conf, lever?.telegrafConf?.(conf) ?? conf)).toEqual({
      removed: ['  influx_parser_type = "upstream"'],
      added: ['  influx_parser_type = "internal"'],
    });
  });

  it('the encoding, on both InfluxDB outputs', () => {
    const lever = LEVERS.find((l) => l.name.includes('encoding'));
    const edited = lever?.telegrafConf?.(conf) ?? conf;
    expect(edited.match(/content_encoding = "gzip"/g)).toHaveLength(2);
    expect(edited).not.toContain('content_encoding = "identity"');
  });

  it("the walk data's own flush, leaving the agent's", () => {
    const lever = LEVERS.find((l) => l.name.includes('flush'));
    expect(changedLines(conf, lever?.telegrafConf?.(conf) ?? conf)).toEqual({
      removed: ['  flush_interval = "100ms"'],
      added: [],
    });
  });

  it('says so when the kept setting is no longer in the file', () => {
    for (const lever of LEVERS.filter((l) => l.telegrafConf)) {
      expect(() => lever.telegrafConf?.('[agent]\n')).toThrow(/no longer has/);
    }
  });
});
