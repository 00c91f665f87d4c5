/**
 * Epoch-aligned tumbling event-time windows `[start, start + size)` in milliseconds, the
 * assignment the Netflow job uses (3 s windows by default).
 */

/** The job's window size: 3 seconds. */
export const NETFLOW_WINDOW_MS = 3000;

/**
 * The start of the tumbling window holding `timestampMs`: the largest multiple of `sizeMs` that
 * is `<= timestampMs` (so `[start, start + sizeMs)` contains it, also for negative times).
 * @throws RangeError when `sizeMs` is not a positive integer.
 * @example tumblingWindowStart(1490024708500, 3000) // 1490024706000
 */
export function tumblingWindowStart(timestampMs: number, sizeMs: number = NETFLOW_WINDOW_MS): number {
  if (!(Number.isInteger(sizeMs) && sizeMs > 0)) throw new RangeError(`window size must be a positive integer of ms, got ${sizeMs}`);
  return Math.floor(timestampMs / sizeMs) * sizeMs;
}

/**
 * The id of one key and window: `<src_ip4>@<window start ms>`.
 * @example keyWindowId(167772161, 1490024706000) // '167772161@1490024706000'
 */
export function keyWindowId(srcIp4: number, windowStartMs: number): string {
  return `${srcIp4}@${windowStartMs}`;
}
