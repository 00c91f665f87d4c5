/**
 * The spread of one measure over repeated runs: minimum, median (the mean of the two middle values
 * for an even count) and maximum. `null` values (a run that measured nothing, e.g. no output) are
 * left out; with none left the spread is `null`.
 * @example spreadOf([3, 1, 2]) // { n: 3, min: 1, median: 2, max: 3 }
 */
export interface Spread {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export function spreadOf(values: readonly (number | null)[]): Spread | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  const median = v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { n: v.length, min: v[0]!, median, max: v[v.length - 1]! };
}

/**
 * `b / a` of two medians: how many times `a`'s figure `b`'s is. Null when either is missing or `a` is 0.
 * @example ratioOf({ n: 1, min: 2, median: 2, max: 2 }, { n: 1, min: 3, median: 3, max: 3 }) // 1.5
 */
export function ratioOf(a: Spread | null, b: Spread | null): number | null {
  if (a === null || b === null || a.median === 0) return null;
  return b.median / a.median;
}
