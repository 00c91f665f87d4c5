import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasLongDigitRun, parseJsonExact } from '../../../transforms/io/exact-json.js';

describe('parseJsonExact', () => {
  it('hasLongDigitRun agrees with /\\d{16}/ on any text (digits, runs near 16 long, other characters)', () => {
    const arbText = fc.array(fc.oneof(fc.constantFrom('0', '5', '9', 'x', ' ', '"', '-', '.', 'e', '٣'), fc.string({ maxLength: 3 }), fc.stringMatching(/^\d{14,18}$/)), { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(arbText, (text) => {
        expect(hasLongDigitRun(text)).toBe(/\d{16}/.test(text));
      }),
      { numRuns: 3000, seed: 20261204 },
    );
  });

  it('reads what JSON.parse reads, except an integer beyond 2^53 - 1 (unsafe-integer), wherever it is', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.boolean(), (value, n, nest) => {
        const text = JSON.stringify(value);
        fc.pre(!/\d{16}/.test(text)); // (a generated double may itself be an integer past 2^53 - 1)
        expect(parseJsonExact(text)).toEqual({ ok: true, value: JSON.parse(text) });
        const withN = nest ? `{"v":${text},"n":[${n}]}` : `${n}`;
        const safe = n >= -(2n ** 53n - 1n) && n <= 2n ** 53n - 1n;
        expect(parseJsonExact(withN).ok).toBe(safe);
        if (!safe) expect(parseJsonExact(withN)).toMatchObject({ reason: 'unsafe-integer' });
      }),
      { numRuns: 500, seed: 20261204 },
    );
  });
});
