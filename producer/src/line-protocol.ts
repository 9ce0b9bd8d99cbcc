/**
 * InfluxDB line protocol encoding (https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/).
 * Escaping rules differ per element, so each has its own function.
 */

/** Measurement names: escape commas and spaces. */
export function escapeMeasurement(name: string): string {
  assertNoNewline(name, 'measurement');
  return name.replace(/[, ]/g, (c) => `\\${c}`);
}

/** Tag keys, tag values and field keys: escape commas, equals signs and spaces. */
export function escapeKey(key: string): string {
  assertNoNewline(key, 'tag or field key');
  return key.replace(/[,= ]/g, (c) => `\\${c}`);
}

/** String field values: double quotes around, backslashes and double quotes escaped. */
export function quoteStringField(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * Floats in the shortest form that parses back to the same IEEE-754 double (JavaScript's
 * Number→string conversion guarantees that), so values round-trip bit for bit.
 */
export function formatFloat(value: number): string {
  if (!Number.isFinite(value)) {
    throw new RangeError(`line protocol cannot carry the non-finite float ${value}`);
  }
  // String(-0) is "0", which would lose the sign bit.
  return Object.is(value, -0) ? '-0' : String(value);
}

export function formatInteger(value: number | bigint): string {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`${value} is not a safe integer for an integer field`);
  }
  return `${value}i`;
}

export type FieldValue = number | bigint | string | boolean | { integer: number | bigint };

export interface Point {
  measurement: string;
  tags?: Record<string, string>;
  fields: Record<string, FieldValue>;
  /** Nanoseconds since the Unix epoch, as a decimal string or bigint. */
  timestampNs?: string | bigint;
}

function formatField(value: FieldValue): string {
  if (typeof value === 'number') return formatFloat(value);
  if (typeof value === 'bigint') return formatInteger(value);
  if (typeof value === 'string') return quoteStringField(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return formatInteger(value.integer);
}

/** Encodes one point; tags are sorted by key, as InfluxDB recommends for write performance. */
export function encodePoint(point: Point): string {
  const fieldKeys = Object.keys(point.fields);
  if (fieldKeys.length === 0) throw new RangeError('a point needs at least one field');
  let line = escapeMeasurement(point.measurement);
  for (const key of Object.keys(point.tags ?? {}).sort()) {
    const value = (point.tags as Record<string, string>)[key] as string;
    if (value === '') continue; // empty tag values are not allowed: drop the tag
    line += `,${escapeKey(key)}=${escapeKey(value)}`;
  }
  line += ` ${fieldKeys.map((k) => `${escapeKey(k)}=${formatField(point.fields[k] as FieldValue)}`).join(',')}`;
  if (point.timestampNs !== undefined) line += ` ${point.timestampNs}`;
  return line;
}

function assertNoNewline(s: string, what: string): void {
  if (s.includes('\n')) throw new RangeError(`a ${what} cannot contain a newline: ${JSON.stringify(s)}`);
}

/**
 * The walk points' hot path: the constant part of each line (`random_walk,walk=w0001 value=`) is
 * escaped once per walk and reused on every tick.
 */
export class WalkLineEncoder {
  private prefixes: string[] = [];
  private ids: string[] = [];
  readonly measurement: string;
  readonly keyPrefix: string;

  constructor(measurement = 'random_walk', keyPrefix = 'w') {
    this.measurement = measurement;
    this.keyPrefix = keyPrefix;
  }

  walkId(walk: number): string {
    let id = this.ids[walk];
    if (id === undefined) {
      id = `${this.keyPrefix}${String(walk).padStart(4, '0')}`;
      this.ids[walk] = id;
    }
    return id;
  }

  line(walk: number, value: number, seq: number, timestampNs: string): string {
    let prefix = this.prefixes[walk];
    if (prefix === undefined) {
      prefix = `${escapeMeasurement(this.measurement)},walk=${escapeKey(this.walkId(walk))} value=`;
      this.prefixes[walk] = prefix;
    }
    return `${prefix}${formatFloat(value)},seq=${seq}i ${timestampNs}`;
  }
}
