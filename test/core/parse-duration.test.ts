import { describe, expect, it } from 'vitest';
import { PipelineOptionsError } from '../../sdk/errors.js';
import { parseDuration } from '../../sdk/options.js';

describe('parseDuration', () => {
  it('reads ms, s, m, h and plain numbers of ms', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('3s')).toBe(3000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('42')).toBe(42);
    expect(parseDuration(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each(['9007199254740993', '9007199254740992ms', '9007199254741s', '2501999792984h', '1e3', `${'9'.repeat(400)}s`])(
    'refuses %j, past 2^53 - 1 ms where a number no longer holds every ms, with the flag named',
    (text) => {
      expect(() => parseDuration(text, 'window')).toThrow(PipelineOptionsError);
      expect(() => parseDuration(text, 'window')).toThrow(/--window: .* (is not a duration|is more than 2\^53 - 1 ms)/);
    },
  );

  it('says why a too-large duration is refused', () => {
    expect(() => parseDuration('9007199254741s', 'idleTimeout')).toThrow("--idleTimeout: '9007199254741s' is more than 2^53 - 1 ms (about 285,000 years): past it a number of ms loses precision");
  });
});
