import { describe, expect, it } from 'vitest';
import { SeededGaussian } from './gaussian';
import {
  encodePoint,
  escapeKey,
  escapeMeasurement,
  formatFloat,
  quoteStringField,
  WalkLineEncoder,
} from './line-protocol';

describe('line protocol escaping', () => {
  it('escapes commas and spaces in measurements, not equals signs', () => {
    expect(escapeMeasurement('my meas,x=1')).toBe('my\\ meas\\,x=1');
  });

  it('escapes commas, equals signs and spaces in keys and tag values', () => {
    expect(escapeKey('a b,c=d')).toBe('a\\ b\\,c\\=d');
  });

  it('quotes string fields, escaping backslashes and double quotes', () => {
    expect(quoteStringField('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
  });

  it('rejects newlines, which would split the point in two', () => {
    expect(() => escapeKey('a\nb')).toThrow(/newline/);
  });

  it('encodes a full point with sorted tags and typed fields', () => {
    expect(
      encodePoint({
        measurement: 'random walk',
        tags: { z: 'last', walk: 'w 1', a: 'x=y' },
        fields: { value: 1.5, seq: { integer: 3 }, ok: true, note: 'a"b' },
        timestampNs: 1_700_000_000_000_000_000n,
      }),
    ).toBe(
      'random\\ walk,a=x\\=y,walk=w\\ 1,z=last value=1.5,seq=3i,ok=true,note="a\\"b" 1700000000000000000',
    );
  });

  it('encodes a walk point in the documented shape', () => {
    const enc = new WalkLineEncoder();
    expect(enc.line(7, 101.25, 42, '1700000000000000001')).toBe(
      'random_walk,walk=w0007 value=101.25,seq=42i 1700000000000000001',
    );
    expect(enc.walkId(7)).toBe('w0007');
  });
});

describe('float round-trip', () => {
  const parse = (s: string) => Number.parseFloat(s);
  const bits = (x: number) => {
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, x);
    return b.getBigUint64(0);
  };

  it('round-trips edge values bit for bit', () => {
    const edge = [
      0,
      -0,
      1,
      -1,
      0.1,
      1 / 3,
      1e-7,
      1e21,
      -1e-300,
      5e-324,
      Number.MAX_VALUE,
      2 ** 53 + 2,
      123456789.12345679,
    ];
    for (const x of edge) expect(bits(parse(formatFloat(x)))).toBe(bits(x));
  });

  it('round-trips 100 000 random doubles bit for bit', () => {
    const g = new SeededGaussian(5);
    const mismatches: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const x = g.next() * 10 ** ((i % 40) - 20);
      if (bits(parse(formatFloat(x))) !== bits(x)) mismatches.push(x);
    }
    expect(mismatches).toEqual([]);
  });

  it('refuses NaN and infinities, which line protocol cannot carry', () => {
    expect(() => formatFloat(Number.NaN)).toThrow(RangeError);
    expect(() => formatFloat(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
