import { describe, expect, it } from 'vitest';
import { writeNumberText } from '../../../transforms/io/number-text.js';

const text = (x: number): string => {
  const buf = Buffer.alloc(40);
  const end = writeNumberText(x, buf, 3);
  return buf.toString('latin1', 3, end);
};

describe('writeNumberText', () => {
  it('writes exactly what String(x) gives for special and boundary values', () => {
    const values = [
      0, -0, 1, -1, 0.1, 0.2, 0.1 + 0.2, 1 / 3, -2 / 3, 100, 1e6, 1e20, 1e21, 1.5e21, 123456789012345680000, 1e-6, 1e-7, 1.5e-6, 1.5e-7,
      5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308, 2 ** 53, 2 ** 53 + 2, -(2 ** 31), 2 ** 32 - 1,
      9007199254740993, 4.35, 0.000123, 123.456, 1e300, 1e-300, Number.EPSILON, NaN, Infinity, -Infinity,
    ];
    for (const x of values) expect(text(x), String(x)).toBe(String(x));
  });

  it('writes exactly what String(x) gives for 1,000,000 doubles over the whole range', () => {
    const f = new Float64Array(1);
    const bits = new Uint32Array(f.buffer);
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const buf = Buffer.alloc(40);
    let mismatches = 0;
    for (let i = 0; i < 1_000_000; i++) {
      // half: random bit patterns (every exponent); half: distances like the Netflow job's
      if (i % 2 === 0) {
        bits[0] = next();
        bits[1] = next();
      } else f[0] = Math.sqrt((next() % 1_000_000) * 1e6 + (next() % 1000));
      const x = f[0]!;
      const end = writeNumberText(x, buf, 0);
      if (buf.toString('latin1', 0, end) !== String(x) && mismatches++ < 5) expect(buf.toString('latin1', 0, end)).toBe(String(x));
    }
    expect(mismatches).toBe(0);
  });

  it('returns -1 and writes nothing past the end when the text does not fit', () => {
    const buf = Buffer.alloc(10, 0x2a);
    expect(writeNumberText(0.30000000000000004, buf, 0)).toBe(-1);
    expect(writeNumberText(12.5, buf, 6)).toBe(10);
    expect(buf.toString('latin1', 6, 10)).toBe('12.5');
    expect(writeNumberText(12.5, buf, 7)).toBe(-1);
  });
});
