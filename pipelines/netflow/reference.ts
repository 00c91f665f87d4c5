import { forEachPair, euclideanDistance, pairResult, type PairResult } from './distance.js';
import { featureExtractor, TRAFFIC_FEATURES, type FeatureName, type Scaling } from './features.js';
import { eventTimeMillis, type FlowRecord } from './flow-record.js';
import { keyWindowId, NETFLOW_WINDOW_MS, tumblingWindowStart } from './tumbling-window.js';

/** Settings of {@link referencePairs}; every one has the job's default. */
export interface ReferenceOptions {
  /** Tumbling window size in ms (default 3000). */
  readonly windowSizeMs?: number;
  /** Features of the distance (default {@link TRAFFIC_FEATURES}). */
  readonly features?: readonly FeatureName[];
  /** Scaling of the features (default `'none'`). */
  readonly scaling?: Scaling;
}

/**
 * Computes the Netflow job's result the plain way, for checking real runs on small inputs: groups
 * the records by `src_ip4` and epoch-aligned tumbling event-time window, and returns, per
 * {@link keyWindowId}, every unordered pair with its Euclidean distance. Every key-window with a
 * record is present (a lone record gives an empty list). Within a group, records are ordered by
 * event time (ms), then `eventid`, and pair `(i, j)` with `i < j` has the earlier record first, so
 * the result does not depend on input order. Holds all pairs in memory: small inputs only.
 * @throws RangeError for a window size that is not a positive integer or an invalid divisor.
 * @example
 * const pairs = referencePairs(records, { windowSizeMs: 3000, features: ['in_bytes'] });
 * pairs.get(keyWindowId(167772161, 1490024706000)) // [{ eventid_1: 'a', ..., distance: 100 }, ...]
 */
export function referencePairs(records: Iterable<FlowRecord>, options: ReferenceOptions = {}): Map<string, PairResult[]> {
  const windowSizeMs = options.windowSizeMs ?? NETFLOW_WINDOW_MS;
  const toVector = featureExtractor(options.features ?? TRAFFIC_FEATURES, options.scaling ?? 'none');
  const groups = new Map<string, FlowRecord[]>();
  for (const record of records) {
    const id = keyWindowId(record.src_ip4, tumblingWindowStart(eventTimeMillis(record), windowSizeMs));
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [record]);
    else group.push(record);
  }
  const result = new Map<string, PairResult[]>();
  for (const [id, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    group.sort(byTimeThenId);
    const vectors = group.map(toVector);
    const pairs: PairResult[] = [];
    forEachPair(group, (a, b, i, j) => pairs.push(pairResult(a, b, euclideanDistance(vectors[i], vectors[j]))));
    result.set(id, pairs);
  }
  return result;
}

/**
 * Puts a pair's two events in the reference order (earlier event time first, then smaller
 * eventid), so results of a job that emits `(b, a)` can be compared with {@link referencePairs}.
 * @example normalizePair({ eventid_1: 'b', ts_flow1: 2, eventid_2: 'a', ts_flow2: 1, distance: 3 })
 *   // { eventid_1: 'a', ts_flow1: 1, eventid_2: 'b', ts_flow2: 2, distance: 3 }
 */
export function normalizePair(pair: PairResult): PairResult {
  const inOrder =
    pair.ts_flow1 < pair.ts_flow2 || (pair.ts_flow1 === pair.ts_flow2 && pair.eventid_1 <= pair.eventid_2);
  return inOrder
    ? pair
    : { eventid_1: pair.eventid_2, ts_flow1: pair.ts_flow2, eventid_2: pair.eventid_1, ts_flow2: pair.ts_flow1, distance: pair.distance };
}

function byTimeThenId(a: FlowRecord, b: FlowRecord): number {
  const dt = eventTimeMillis(a) - eventTimeMillis(b);
  if (dt !== 0) return dt;
  return a.eventid < b.eventid ? -1 : a.eventid > b.eventid ? 1 : 0;
}
