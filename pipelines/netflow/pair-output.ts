import type { PairResult } from './distance.js';

/**
 * Formats one job output as JSON text with the original job's members, in this order:
 * `eventid_1, ts_flow1, eventid_2, ts_flow2, distance, ts_output` (`ts_output` = epoch ms when the
 * distance was computed, supplied by the caller so the function stays pure). Event ids are JSON
 * strings so that 64-bit ids survive consumers that parse numbers as doubles.
 * @throws RangeError when `distance` is not finite (JSON cannot carry NaN or Infinity).
 * @example formatPairOutput({ eventid_1: '1', ts_flow1: 1000, eventid_2: '2', ts_flow2: 2000, distance: 5 }, 3000)
 *   // '{"eventid_1":"1","ts_flow1":1000,"eventid_2":"2","ts_flow2":2000,"distance":5,"ts_output":3000}'
 */
export function formatPairOutput(pair: PairResult, tsOutput: number): string {
  if (!Number.isFinite(pair.distance)) throw new RangeError(`distance is ${pair.distance}`);
  return JSON.stringify({
    eventid_1: pair.eventid_1,
    ts_flow1: pair.ts_flow1,
    eventid_2: pair.eventid_2,
    ts_flow2: pair.ts_flow2,
    distance: pair.distance,
    ts_output: tsOutput,
  });
}
