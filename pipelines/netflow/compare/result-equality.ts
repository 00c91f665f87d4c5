import { compareTriples, type PairStatsJson, type PairTriple } from '../pair-stats.js';

/** One key and window whose pairs differ between two runs. */
export interface KeyWindowDifference {
  /** `<src_ip4>@<window start ms>`. */
  readonly keyWindow: string;
  /** Pairs each run produced for it (0 when it is missing from that run). */
  readonly countA: number;
  readonly countB: number;
  /** `missing-in-a` / `missing-in-b`: the key-window is absent from one run; `count`: different number of pairs; `content`: same number, different pairs or distances. */
  readonly kind: 'missing-in-a' | 'missing-in-b' | 'count' | 'content';
  /** When both runs kept their pairs: the pairs only one run has, and pairs whose distances differ. */
  readonly onlyInA?: readonly PairTriple[];
  readonly onlyInB?: readonly PairTriple[];
  readonly distanceDiffers?: readonly (readonly [eventid1: string, eventid2: string, distanceA: number, distanceB: number])[];
}

/** The verdict of comparing two runs' results. */
export interface ResultEquality {
  readonly labels: readonly [string, string];
  /** True when every key-window has the same pairs with the same distances (bit for bit). */
  readonly equal: boolean;
  /** `pairs`: exact comparison of kept pairs; `digests`: per key-window count and 64-bit digest. */
  readonly method: 'pairs' | 'digests';
  readonly pairs: readonly [number, number];
  readonly keyWindows: readonly [number, number];
  /** Number of differing key-windows (all of them), and the first `maxListed` in detail. */
  readonly differingKeyWindows: number;
  readonly differences: readonly KeyWindowDifference[];
}

/**
 * Compares the pairs of two runs per key and window: the same set of pairs (by event ids, earlier
 * event first) with bit-identical distances. Uses the kept pairs when both runs kept them (and lists
 * exactly which pairs differ), else the per key-window digests (count plus two independent 32-bit
 * sums of pair hashes: a difference is missed only by a 64-bit collision).
 * @throws Error when neither pairs nor digests were gathered by both runs.
 * @example compareResults(['native', 'microbatch'], nativeStats, microbatchStats).equal
 */
export function compareResults(labels: readonly [string, string], a: PairStatsJson, b: PairStatsJson, maxListed = 50): ResultEquality {
  const base = { labels, pairs: [a.pairs, b.pairs] as const, keyWindows: [a.keyWindows, b.keyWindows] as const };
  if (a.kept && b.kept) {
    const diffs = comparePairs(a.kept, b.kept);
    return { ...base, equal: diffs.length === 0 && a.pairs === b.pairs, method: 'pairs', differingKeyWindows: diffs.length, differences: diffs.slice(0, maxListed) };
  }
  if (!a.digests || !b.digests) throw new Error('cannot compare results: the runs gathered neither pairs nor digests (run with --digests)');
  const da = new Map(a.digests.map(([k, n, x, y]) => [k, { n, x, y }]));
  const db = new Map(b.digests.map(([k, n, x, y]) => [k, { n, x, y }]));
  const diffs: KeyWindowDifference[] = [];
  for (const k of sortedUnion(da.keys(), db.keys())) {
    const x = da.get(k);
    const y = db.get(k);
    if (!x) diffs.push({ keyWindow: k, countA: 0, countB: y!.n, kind: 'missing-in-a' });
    else if (!y) diffs.push({ keyWindow: k, countA: x.n, countB: 0, kind: 'missing-in-b' });
    else if (x.n !== y.n) diffs.push({ keyWindow: k, countA: x.n, countB: y.n, kind: 'count' });
    else if (x.x !== y.x || x.y !== y.y) diffs.push({ keyWindow: k, countA: x.n, countB: y.n, kind: 'content' });
  }
  return { ...base, equal: diffs.length === 0 && a.pairs === b.pairs, method: 'digests', differingKeyWindows: diffs.length, differences: diffs.slice(0, maxListed) };
}

function comparePairs(a: Readonly<Record<string, readonly PairTriple[]>>, b: Readonly<Record<string, readonly PairTriple[]>>): KeyWindowDifference[] {
  const out: KeyWindowDifference[] = [];
  for (const k of sortedUnion(Object.keys(a), Object.keys(b))) {
    const x = a[k] ?? [];
    const y = b[k] ?? [];
    if (x.length === 0 && y.length > 0) {
      out.push({ keyWindow: k, countA: 0, countB: y.length, kind: 'missing-in-a', onlyInA: [], onlyInB: y.slice().sort(compareTriples), distanceDiffers: [] });
      continue;
    }
    if (y.length === 0 && x.length > 0) {
      out.push({ keyWindow: k, countA: x.length, countB: 0, kind: 'missing-in-b', onlyInA: x.slice().sort(compareTriples), onlyInB: [], distanceDiffers: [] });
      continue;
    }
    // Pairs keyed by their ids; a pair seen twice in one run counts twice.
    const ya = new Map<string, number[]>();
    for (const [i1, i2, d] of y) push(ya, `${i1}\u0000${i2}`, d);
    const onlyInA: PairTriple[] = [];
    const distanceDiffers: [string, string, number, number][] = [];
    for (const [i1, i2, d] of x) {
      const key = `${i1}\u0000${i2}`;
      const ds = ya.get(key);
      if (!ds || ds.length === 0) {
        onlyInA.push([i1, i2, d]);
        continue;
      }
      const same = ds.findIndex((e) => Object.is(e, d));
      if (same >= 0) ds.splice(same, 1);
      else distanceDiffers.push([i1, i2, d, ds.shift()!]);
    }
    const onlyInB: PairTriple[] = [];
    for (const [key, ds] of ya) {
      const [i1, i2] = key.split('\u0000') as [string, string];
      for (const d of ds) onlyInB.push([i1, i2, d]);
    }
    if (onlyInA.length || onlyInB.length || distanceDiffers.length) {
      out.push({
        keyWindow: k,
        countA: x.length,
        countB: y.length,
        kind: x.length !== y.length ? 'count' : 'content',
        onlyInA: onlyInA.sort(compareTriples),
        onlyInB: onlyInB.sort(compareTriples),
        distanceDiffers,
      });
    }
  }
  return out;
}

function push(m: Map<string, number[]>, k: string, v: number): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function sortedUnion(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort();
}
