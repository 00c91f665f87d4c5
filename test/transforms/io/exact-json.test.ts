import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasLongDigitRun, parseJsonExact } from '../../../transforms/io/exact-json.js';

describe('parseJsonExact', () => {
  it('keeps an integer past 2^53 - 1 that a number writes back as written (1e20 and 2^53 in digits, what JSON.stringify wrote)', () => {
    for (const text of ['100000000000000000000', '9007199254740992', JSON.stringify(-44932826827283450), '18446744073709552000']) expect(parseJsonExact(`{"n":${text}}`)).toEqual({ ok: true, value: { n: Number(text) } });
    expect(parseJsonExact('{"n":18446744073709551616}')).toMatchObject({ ok: false, message: 'member "n" is the integer 18446744073709551616, which a number would read as 18446744073709552000' });
    expect(parseJsonExact(`[${'9'.repeat(400)}]`)).toMatchObject({ ok: false, reason: 'unsafe-integer' }); // read as Infinity
  });

  it('hasLongDigitRun agrees with /\\d{16}/ on any text (digits, runs near 16 long, other characters)', () => {
    const arbText = fc.array(fc.oneof(fc.constantFrom('0', '5', '9', 'x', ' ', '"', '-', '.', 'e', '٣'), fc.string({ maxLength: 3 }), fc.stringMatching(/^\d{14,18}$/)), { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(arbText, (text) => {
        expect(hasLongDigitRun(text)).toBe(/\d{16}/.test(text));
      }),
      { numRuns: 3000, seed: 20261204 },
    );
  });

  it('reads what JSON.parse reads, except an integer a number would round to another (unsafe-integer), wherever it is', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.boolean(), (value, n, nest) => {
        const text = JSON.stringify(value);
        expect(parseJsonExact(text)).toEqual({ ok: true, value: JSON.parse(text) });
        const withN = nest ? `{"v":${text},"n":[${n}]}` : `${n}`;
        const safe = String(Number(n)) === String(n); // a number writes it back as written
        expect(parseJsonExact(withN).ok).toBe(safe);
        if (!safe) expect(parseJsonExact(withN)).toMatchObject({ reason: 'unsafe-integer' });
      }),
      { numRuns: 500, seed: 20261204 },
    );
  });
});
