import { describe, expect, it } from 'vitest';
import { groupLag } from './consumer-lag';

describe('groupLag', () => {
  it('sums end offset − committed offset over the partitions', () => {
    const ends = [
      { partition: 0, high: '120', low: '0' },
      { partition: 1, high: '50', low: '0' },
    ];
    expect(
      groupLag(ends, [
        { partition: 0, offset: '100' },
        { partition: 1, offset: '50' },
      ]),
    ).toBe(20);
  });

  it('counts a partition the group never committed from its low watermark', () => {
    const ends = [{ partition: 0, high: '30', low: '10' }];
    expect(groupLag(ends, [{ partition: 0, offset: '-1' }])).toBe(20);
    expect(groupLag(ends, [])).toBe(20);
  });

  it('is 0 when everything is committed', () => {
    expect(groupLag([{ partition: 0, high: '7', low: '0' }], [{ partition: 0, offset: '7' }])).toBe(0);
  });
});
