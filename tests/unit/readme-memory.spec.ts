/**
 * The memory totals the README states are the sums of the compose files' own limits: an edit to
 * a mem_limit that the README does not follow fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeMemoryLimitBytes } from '../../core/stack/compose-memory';

const stack = new URL('../../stack/', import.meta.url).pathname;
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(1);

describe("the README's memory totals", () => {
  it('full stack, with and without the headless producer', () => {
    const withProducer = gib(composeMemoryLimitBytes([`${stack}compose.yaml`], ['headless']));
    const without = gib(composeMemoryLimitBytes([`${stack}compose.yaml`], []));
    expect(readme).toContain(`memory limits add
up to ${withProducer} GiB`);
    expect(readme).toContain(`instead of ${without} GiB (without the headless producer`);
  });

  it('lite profile, without the headless producer', () => {
    const lite = gib(composeMemoryLimitBytes([`${stack}compose.yaml`, `${stack}profiles/lite.yaml`], []));
    expect(readme).toContain(`Its memory limits add up to ${lite} GiB`);
  });
});
