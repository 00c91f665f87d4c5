import { describe, expect, it } from 'vitest';
import { parseIsoMicros, parseIsoSeconds } from '../../../transforms/io/iso-timestamp.js';

describe('parseIsoMicros', () => {
  it('reads Suricata timestamps with a +HHMM offset and micro-seconds', () => {
    expect(parseIsoMicros('2021-06-06T15:59:46.457984+0200')).toBe(Date.UTC(2021, 5, 6, 13, 59, 46) * 1000 + 457984);
  });

  it('accepts Z, +HH:MM, +HH, no offset (UTC), a space separator and any fraction length', () => {
    const base = Date.UTC(2017, 2, 20, 15, 45, 8) * 1000;
    expect(parseIsoMicros('2017-03-20T15:45:08.000Z')).toBe(base);
    expect(parseIsoMicros('2017-03-20T16:45:08+01:00')).toBe(base);
    expect(parseIsoMicros('2017-03-20T10:45:08-05')).toBe(base);
    expect(parseIsoMicros('2017-03-20 15:45:08')).toBe(base);
    expect(parseIsoMicros('2017-03-20T15:45:08.5Z')).toBe(base + 500_000);
    expect(parseIsoMicros('2017-03-20T15:45:08.123456789Z')).toBe(base + 123_456);
  });

  it.each(['yesterday', '2017-13-01T00:00:00Z', '2017-02-30T00:00:00Z', '2017-03-20T24:00:00Z', '2017-03-20', ''])(
    'refuses %j',
    (text) => expect(parseIsoMicros(text)).toBeUndefined(),
  );

  it('reads years 0000..0099 as themselves, not as 1900..1999 (Date.UTC maps two-digit years)', () => {
    const utc = (y: number, mo: number, d: number, h = 0): number => {
      const t = new Date(0);
      t.setUTCFullYear(y, mo - 1, d);
      t.setUTCHours(h, 0, 0, 0);
      return t.getTime() * 1000;
    };
    expect(parseIsoMicros('0099-12-31T23:00:00Z')).toBe(utc(99, 12, 31, 23));
    expect(parseIsoMicros('0000-01-01T00:00:00Z')).toBe(utc(0, 1, 1));
    expect(parseIsoMicros('0050-06-15T12:00:00+02:00')).toBe(utc(50, 6, 15, 10));
    // Year 0 and 4 are leap years in the proleptic Gregorian calendar (1900 is not).
    expect(parseIsoMicros('0000-02-29T00:00:00Z')).toBe(utc(0, 2, 29));
    expect(parseIsoMicros('1900-02-29T00:00:00Z')).toBeUndefined();
    expect(parseIsoMicros('0100-02-29T00:00:00Z')).toBeUndefined();
  });

  it.each(['2017-03-20T15:45:08+25:00', '2017-03-20T15:45:08+12:60', '2017-03-20T15:45:08-2400', '2017-03-20T15:45:08+99', '2017-03-20T15:45:08+0099'])(
    'refuses the impossible offset in %j rather than shift the time',
    (text) => expect(parseIsoMicros(text)).toBeUndefined(),
  );

  it('accepts the extreme real offsets and ±23:59', () => {
    const base = Date.UTC(2017, 2, 20, 12, 0, 0) * 1000;
    expect(parseIsoMicros('2017-03-21T02:00:00+14:00')).toBe(base);
    expect(parseIsoMicros('2017-03-20T00:00:00-12:00')).toBe(base);
    expect(parseIsoMicros('2017-03-21T11:59:00+23:59')).toBe(base);
  });

  it('gives seconds too', () => {
    expect(parseIsoSeconds('2017-03-20T15:45:08.000Z')).toBe(1490024708);
    expect(parseIsoSeconds('nope')).toBeUndefined();
  });
});
