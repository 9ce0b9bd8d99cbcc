import { describe, expect, it } from 'vitest';
import { pointsInMessage } from './producer-throughput';

describe('pointsInMessage', () => {
  it('counts the line-protocol lines a coalesced message carries', () => {
    expect(pointsInMessage('m,walk=a value=1,seq=0i 1')).toBe(1);
    expect(
      pointsInMessage('m,walk=a value=1,seq=0i 1\nm,walk=a value=2,seq=1i 2\nm,walk=a value=3,seq=2i 3'),
    ).toBe(3);
  });

  it('counts nothing in an empty message', () => {
    expect(pointsInMessage('')).toBe(0);
  });
});
