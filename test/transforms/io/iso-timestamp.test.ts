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

  it('gives seconds too', () => {
    expect(parseIsoSeconds('2017-03-20T15:45:08.000Z')).toBe(1490024708);
    expect(parseIsoSeconds('nope')).toBeUndefined();
  });
});
