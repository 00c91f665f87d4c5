/**
 * The values a Netflow event may carry, per field. Every reader path ends in `parseFlow`, which
 * rejects a value outside its range with reason `out-of-range` (or `negative-count`) and the field
 * in the detail; the sensor-log readers and the Kafka read check event times with the same bounds
 * before they stamp a record with it, so an absurd time never reaches a watermark.
 *
 * Why these bounds: counts beyond 2^53 - 1 are not exact as numbers and their squares overflow the
 * distance; event times outside 1970..2100 are a unit mistake (milliseconds read as seconds) or
 * garbage; a flow lasting longer than ten years is not a flow.
 */

/** Earliest event time accepted, in seconds since the epoch: 1970-01-01T00:00:00Z. */
export const MIN_EVENT_TIME_S = 0;
/** Latest event time accepted, in seconds since the epoch: 2100-01-01T00:00:00Z (exclusive). */
export const MAX_EVENT_TIME_S = 4_102_444_800;
/** Longest duration accepted, in seconds: ten years. */
export const MAX_DURATION_S = 10 * 365 * 86_400;
/** Largest byte or packet count accepted: the largest exactly representable integer. */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/** A field's value outside its range, with why: the detail of an `out-of-range` / `negative-count` reject. */
export interface RangeProblem {
  readonly reason: 'out-of-range' | 'negative-count';
  readonly detail: string;
}

/**
 * Checks an event time in seconds: finite and within 1970..2100.
 * @returns undefined when it is fine, else the problem (`out-of-range`).
 * @example eventTimeProblem(1490024708)    // undefined
 * @example eventTimeProblem(1490024708000) // { reason: 'out-of-range', detail: 'eventtime 1490024708000 s is outside 1970..2100 (0..4102444800 s)' }
 */
export function eventTimeProblem(seconds: number, field = 'eventtime'): RangeProblem | undefined {
  if (Number.isFinite(seconds) && seconds >= MIN_EVENT_TIME_S && seconds < MAX_EVENT_TIME_S) return undefined;
  return { reason: 'out-of-range', detail: `${field} ${seconds} s is outside 1970..2100 (${MIN_EVENT_TIME_S}..${MAX_EVENT_TIME_S} s)` };
}

/**
 * Checks a byte or packet count: a whole number 0..2^53-1.
 * @example countProblem('in_bytes', 2e154) // { reason: 'out-of-range', detail: 'in_bytes is 2e+154, above 9007199254740991' }
 * @example countProblem('out_packets', -1) // { reason: 'negative-count', detail: 'out_packets is -1' }
 */
export function countProblem(field: string, value: number): RangeProblem | undefined {
  if (value < 0) return { reason: 'negative-count', detail: `${field} is ${value}` };
  if (!Number.isFinite(value) || value > MAX_COUNT) return { reason: 'out-of-range', detail: `${field} is ${value}, above ${MAX_COUNT}` };
  if (!Number.isInteger(value)) return { reason: 'out-of-range', detail: `${field} is ${value}, not a whole number` };
  return undefined;
}

/**
 * Checks a duration in seconds: finite, 0..ten years (fractions allowed).
 * @example durationProblem(0.25) // undefined
 * @example durationProblem(-1)   // { reason: 'negative-count', detail: 'duration is -1' }
 */
export function durationProblem(value: number, field = 'duration'): RangeProblem | undefined {
  if (value < 0) return { reason: 'negative-count', detail: `${field} is ${value}` };
  if (!Number.isFinite(value) || value > MAX_DURATION_S) return { reason: 'out-of-range', detail: `${field} is ${value} s, above ${MAX_DURATION_S} s (ten years)` };
  return undefined;
}

/**
 * Checks a port (or an ICMP type/code in its place): a whole number 0..65535.
 * @example portProblem('dst_port', 70000) // { reason: 'out-of-range', detail: 'dst_port is 70000' }
 */
export function portProblem(field: string, value: number): RangeProblem | undefined {
  return Number.isInteger(value) && value >= 0 && value <= 65535 ? undefined : { reason: 'out-of-range', detail: `${field} is ${value}` };
}
