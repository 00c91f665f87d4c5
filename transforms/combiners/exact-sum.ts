/**
 * The exact running sum behind Sum and Mean: the result depends only on the multiset of inputs, never
 * on their order or on how partial sums were merged (runners and window drivers group differently),
 * and retracting an input restores exactly the sum before it was added.
 *
 * A plain number is the sum exactly equal to it. While every input and the running sum are safe
 * integers the accumulator stays that number (the cheap common case of counts and bytes, and the
 * format of checkpoints written before exact sums: such a number restores as that sum). Otherwise it
 * becomes an {@link ExactSum}.
 * @example [1e308, 1e308, -1e308] in any order and grouping sums to 1e308 (plain floats: Infinity or 1e308)
 */
export type SumAccumulator = number | ExactSum;

/**
 * An exact sum of doubles: the finite inputs as non-overlapping partials (Shewchuk's algorithm, as
 * Python's math.fsum), the infinities and NaNs counted, so that adding and retracting each is exact.
 * Inputs of magnitude >= 2^970 are kept apart, scaled by 2^-600 (exactly), so no partial overflows.
 */
export interface ExactSum {
  /** Partials of the finite inputs below 2^970 in magnitude; their exact sum is those inputs' sum. */
  readonly small: number[];
  /** Partials of the finite inputs of magnitude >= 2^970, each multiplied by 2^-600. */
  readonly big: number[];
  /** How many +Infinity inputs (added minus retracted). */
  posInf: number;
  /** How many -Infinity inputs (added minus retracted). */
  negInf: number;
  /** How many NaN inputs (added minus retracted). */
  nan: number;
}

const BIG = 2 ** 970;
const DOWN = 2 ** -600;

/** A fresh, empty exact sum. */
function emptyExact(): ExactSum {
  return { small: [], big: [], posInf: 0, negInf: 0, nan: 0 };
}

/** Adds `x` exactly to the partials `p` (non-overlapping, increasing magnitude). */
function grow(p: number[], x: number): void {
  let i = 0;
  for (let j = 0; j < p.length; j++) {
    const y = p[j]!;
    // Knuth's branch-free TwoSum: hi + lo === x + y exactly
    const hi = x + y;
    const yv = hi - x;
    const lo = x - (hi - yv) + (y - yv);
    if (lo !== 0) p[i++] = lo;
    x = hi;
  }
  if (x !== 0) p[i++] = x;
  if (i !== p.length) p.length = i; // (setting the length when unchanged costs)
}

/** Adds (`sign` 1) or retracts (`sign` -1) one input into `s`. */
function put(s: ExactSum, x: number, sign: 1 | -1): ExactSum {
  if (x - x !== 0) {
    if (x === Number.POSITIVE_INFINITY) s.posInf += sign;
    else if (x === Number.NEGATIVE_INFINITY) s.negInf += sign;
    else s.nan += sign;
  } else if (Math.abs(x) < BIG) grow(s.small, sign * x);
  else grow(s.big, sign * x * DOWN);
  return s;
}

/** `a` as a fresh ExactSum (a number becomes the sum equal to it). */
function toExact(a: SumAccumulator): ExactSum {
  if (typeof a === 'number') return put(emptyExact(), a, 1);
  return { small: a.small.slice(), big: a.big.slice(), posInf: a.posInf, negInf: a.negInf, nan: a.nan };
}

/** `acc` plus `x`; may mutate `acc`. */
export function sumAdd(acc: SumAccumulator, x: number): SumAccumulator {
  if (typeof acc === 'number') {
    const r = acc + x;
    // Safe integers add exactly while the result stays a safe integer.
    if (Number.isSafeInteger(r) && Number.isSafeInteger(x) && Number.isSafeInteger(acc)) return r;
    return put(toExact(acc), x, 1);
  }
  return put(acc, x, 1);
}

/** `acc` minus one earlier `x` (undoes sumAdd exactly); may mutate `acc`. */
export function sumRetract(acc: SumAccumulator, x: number): SumAccumulator {
  if (typeof acc === 'number') {
    const r = acc - x;
    if (Number.isSafeInteger(r) && Number.isSafeInteger(x) && Number.isSafeInteger(acc)) return r;
    return put(toExact(acc), x, -1);
  }
  return put(acc, x, -1);
}

/** The exact sum of `accs`, a fresh accumulator (the inputs are not changed). */
export function sumMerge(accs: readonly SumAccumulator[]): SumAccumulator {
  let out: SumAccumulator = 0;
  for (const a of accs) {
    if (typeof a === 'number') out = sumAdd(out, a);
    else {
      const o: ExactSum = typeof out === 'number' ? toExact(out) : out;
      for (const p of a.small) grow(o.small, p);
      for (const p of a.big) grow(o.big, p);
      o.posInf += a.posInf;
      o.negInf += a.negInf;
      o.nan += a.nan;
      out = o;
    }
  }
  return out;
}

/**
 * The sum rounded once to the nearest double (ties to even), times 2^`scale`: NaN when a NaN or both
 * infinities are in it, ±Infinity when one infinity is, else the finite exact sum, which overflows to
 * ±Infinity only here. A sum of zeros is 0. `scale` <= 0 (Mean scales down a sum that overflows).
 */
export function sumValue(acc: SumAccumulator, scale = 0): number {
  if (typeof acc === 'number') return scale === 0 ? acc + 0 : acc * 2 ** scale;
  if (acc.nan !== 0 || (acc.posInf !== 0 && acc.negInf !== 0)) return Number.NaN;
  if (acc.posInf !== 0) return Number.POSITIVE_INFINITY;
  if (acc.negInf !== 0) return Number.NEGATIVE_INFINITY;
  if (acc.big.length === 0 && scale === 0) return roundPartials(acc.small) + 0;
  let units = 0n; // the exact sum times 2^1074
  for (const p of acc.small) units += unitsOf(p, 1074);
  for (const p of acc.big) units += unitsOf(p, 1674);
  return roundUnits(units, scale);
}

/** The partials' exact sum rounded to the nearest double, ties to even (the last step of math.fsum). */
function roundPartials(p: readonly number[]): number {
  let n = p.length;
  if (n === 0) return 0;
  let hi = p[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = p[--n]!;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Round half to even: if the rest below lo pushes the same way, lo is not a true tie.
  if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

const view = new DataView(new ArrayBuffer(8));

/** The finite `x` times 2^`shift` as an exact integer (`shift` >= 1074). */
function unitsOf(x: number, shift: number): bigint {
  view.setFloat64(0, x);
  const hiWord = view.getUint32(0);
  const exp = (hiWord >>> 20) & 0x7ff;
  let mant = (BigInt(hiWord & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (exp !== 0) mant |= 1n << 52n;
  // x = mant * 2^(max(exp, 1) - 1075)
  const e = BigInt(Math.max(exp, 1) - 1075 + shift);
  const v = mant << e; // e >= 0 as shift >= 1074
  return hiWord >>> 31 ? -v : v;
}

/**
 * `units` * 2^(scale - 1074) rounded to the nearest double, ties to even (±Infinity past the
 * largest); with `scale` < 0 a result below the normal doubles may be rounded twice.
 */
function roundUnits(units: bigint, scale: number): number {
  if (units === 0n) return 0;
  const neg = units < 0n;
  const a = neg ? -units : units;
  const bits = a.toString(2).length;
  let r: number;
  if (bits <= 53) r = Number(a) * Number.MIN_VALUE * 2 ** scale; // exact when scale is 0 (subnormals included)
  else {
    // Keep 55 bits and fold the rest into a sticky lowest bit: one correct rounding by Number().
    const sh = Math.max(0, bits - 55);
    let t = a >> BigInt(sh);
    if (sh > 0 && (a & ((1n << BigInt(sh)) - 1n)) !== 0n) t |= 1n;
    r = Number(t);
    // Scale by 2^(sh - 1074) in exact steps (the result is a normal number or overflows).
    for (let e = sh - 1074 + scale; e !== 0; ) {
      const step = Math.max(-1000, Math.min(1000, e));
      r *= 2 ** step;
      e -= step;
    }
  }
  return neg ? -r : r;
}
