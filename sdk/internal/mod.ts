/**
 * Internal: modulo that is non-negative for negative timestamps, for window assignment.
 * Not part of the public API (no barrel re-exports this folder).
 * @example mod(-1, 60_000) // 59_999: the instant 1 ms before the epoch is 59.999 s into its minute
 */
export function mod(a: number, n: number): number {
  const r = a % n;
  return r < 0 ? r + n : r;
}
