/**
 * A reference for exact sums of doubles, independent of transforms/combiners/exact-sum.ts: every
 * finite double is an integer multiple of 2^-1074, so the sum is a BigInt of those units, rounded
 * to the nearest double (ties to even) by comparing neighbouring doubles exactly.
 * @example referenceSum([1e308, 1e308, -1e308]) // 1e308
 */
export function referenceSum(xs: readonly number[]): number {
  if (xs.some(Number.isNaN)) return Number.NaN;
  const pos = xs.includes(Number.POSITIVE_INFINITY);
  const neg = xs.includes(Number.NEGATIVE_INFINITY);
  if (pos && neg) return Number.NaN;
  if (pos || neg) return pos ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  let units = 0n;
  for (const x of xs) units += unitsOf(x);
  return nearest(units);
}

/** The finite `x` in units of 2^-1074 (halving the step until x is a whole number of steps). */
export function unitsOf(x: number): bigint {
  let m = x;
  let e = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    e++;
  }
  return BigInt(m) << BigInt(1074 - e);
}

const OVERFLOW = (2n ** 1024n - 2n ** 970n) << 1074n; // halfway from the largest double to 2^1024: rounds up

function nearest(units: bigint): number {
  const a = units < 0n ? -units : units;
  if (a >= OVERFLOW) return units < 0n ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  const shift = Math.max(0, a.toString(2).length - 60);
  let r = Number(a >> BigInt(shift)); // within a few ulps
  for (let e = shift - 1074; e !== 0; ) {
    const step = Math.max(-1000, Math.min(1000, e));
    r *= 2 ** step;
    e -= step;
  }
  const view = new DataView(new ArrayBuffer(8));
  const bitsOf = (d: number) => (view.setFloat64(0, d), view.getBigUint64(0));
  const ofBits = (b: bigint) => (view.setBigUint64(0, b), view.getFloat64(0));
  let best = r;
  for (let d = -3n; d <= 3n; d++) {
    const b = bitsOf(r) + d;
    if (b < 0n) continue;
    const c = ofBits(b);
    if (!Number.isFinite(c)) continue;
    const dc = unitsOf(c) - a;
    const db = unitsOf(best) - a;
    const adc = dc < 0n ? -dc : dc;
    const adb = db < 0n ? -db : db;
    if (adc < adb || (adc === adb && (bitsOf(c) & 1n) === 0n)) best = c;
  }
  return units < 0n ? -best : best;
}
