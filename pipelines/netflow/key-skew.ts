/**
 * Zipf-like popularity of source IPs: key `i` (0-based) is drawn with probability proportional to
 * `1 / (i + 1)^exponent`. Exponent 0 is uniform; 1 is classic Zipf (a few hot keys, a long tail).
 */

/**
 * The probabilities of `keys` keys under the given exponent (they sum to 1).
 * @throws RangeError when `keys` is not a positive integer or `exponent` is negative or not finite.
 * @example zipfProbabilities(2, 1) // Float64Array [0.666…, 0.333…]
 */
export function zipfProbabilities(keys: number, exponent: number): Float64Array {
  if (!(Number.isInteger(keys) && keys > 0)) throw new RangeError(`keys must be a positive integer, got ${keys}`);
  if (!(Number.isFinite(exponent) && exponent >= 0)) throw new RangeError(`skew exponent must be >= 0, got ${exponent}`);
  const p = new Float64Array(keys);
  let total = 0;
  for (let i = 0; i < keys; i++) {
    p[i] = 1 / Math.pow(i + 1, exponent);
    total += p[i];
  }
  for (let i = 0; i < keys; i++) p[i] /= total;
  return p;
}

/**
 * Builds a sampler mapping one uniform draw `u` in `[0, 1)` to a key index, by binary search in
 * the cumulative probabilities (O(log keys) per draw).
 * @throws RangeError as {@link zipfProbabilities}.
 * @example const keyOf = zipfSampler(340, 1); keyOf(0.01) // 0 (the hottest key)
 */
export function zipfSampler(keys: number, exponent: number): (u: number) => number {
  const p = zipfProbabilities(keys, exponent);
  const cumulative = new Float64Array(keys);
  let sum = 0;
  for (let i = 0; i < keys; i++) {
    sum += p[i];
    cumulative[i] = sum;
  }
  return (u) => {
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (u < cumulative[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/**
 * The expected number of same-key pairs among `count` events whose keys are drawn independently:
 * `C(count, 2) · Σ p_i²` (two distinct events share a key with probability `Σ p_i²`).
 * @throws RangeError as {@link zipfProbabilities}.
 * @example expectedSameKeyPairs(10_000, 25, 0) // 1999800
 */
export function expectedSameKeyPairs(count: number, keys: number, exponent: number): number {
  const p = zipfProbabilities(keys, exponent);
  let collision = 0;
  for (let i = 0; i < keys; i++) collision += p[i] * p[i];
  return ((count * (count - 1)) / 2) * collision;
}
