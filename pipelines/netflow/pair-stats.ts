import type { DoFn } from '../../sdk/dofn.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { PTransform } from '../../sdk/ptransform.js';
import { ParDo } from '../../transforms/par-do.js';
import type { NetflowPair } from './netflow-job.js';
import { keyWindowId } from './tumbling-window.js';

/**
 * What one run's pairs looked like, gathered in one pass with bounded memory (millions of pairs):
 * counts, first and last output time (the seed's "total computation time"), ingestion-to-output
 * latency (exact, counted per millisecond), a sample of output times for charts, and per key and
 * window an order-independent digest of the pairs and their distances, so two runs can be compared
 * exactly without keeping every pair. Optionally keeps the pairs themselves (up to a limit) so that
 * a comparison can list the differing pairs.
 */
export interface PairStatsOptions {
  /** Keep per key-window digests, for comparing runs (default false). */
  readonly digests?: boolean;
  /** Keep every pair while the run has at most this many (default 0: none). */
  readonly keepPairsUpTo?: number;
  /** Output-time samples to keep for charts (default 4000). */
  readonly outputTimeSamples?: number;
}

/** Digest of the pairs of one key and window: count and two independent 32-bit sums of pair hashes. */
export interface KeyWindowDigest {
  count: number;
  a: number;
  b: number;
}

/** A pair as compared: event ids (earlier event first) and distance. */
export type PairTriple = readonly [eventid1: string, eventid2: string, distance: number];

/** The serialisable form of {@link PairStats}. */
export interface PairStatsJson {
  readonly pairs: number;
  /** Processing time of the first and last output (null when no pair). */
  readonly firstOutput: number | null;
  readonly lastOutput: number | null;
  /** Distinct windows (by start) and key-windows that produced pairs. */
  readonly windows: number;
  readonly keyWindows: number;
  /** `[latency ms, number of pairs]`, ascending. */
  readonly latency: readonly (readonly [number, number])[];
  /** `[index of the pair in output order, ts_output]`, evenly spaced. */
  readonly outputTimes: readonly (readonly [number, number])[];
  /** `[keyWindowId, count, digestA, digestB]`, sorted by id (absent when digests are off). */
  readonly digests?: readonly (readonly [string, number, number, number])[];
  /** Every pair by key-window (only when the run had at most `keepPairsUpTo` pairs). */
  readonly kept?: Readonly<Record<string, readonly PairTriple[]>>;
  /** True when pairs were to be kept but the run had more than the limit. */
  readonly keptTruncated?: boolean;
}

export class PairStats {
  pairs = 0;
  firstOutput = Number.POSITIVE_INFINITY;
  lastOutput = Number.NEGATIVE_INFINITY;
  private readonly windowStarts = new Set<number>();
  private readonly digests = new Map<string, KeyWindowDigest>();
  private readonly keyWindows = new Set<string>();
  private latencyCounts = new Float64Array(1024);
  private readonly wantDigests: boolean;
  private readonly keepUpTo: number;
  private kept: Map<string, PairTriple[]> | undefined;
  private keptTruncated = false;
  private readonly sampleCap: number;
  private samples: [number, number][] = [];
  private stride = 1;
  private readonly idHashes = new Map<string, IdHash>();
  private lastKw = '';
  private lastKwKey = Number.NaN;
  private lastKwStart = Number.NaN;
  private lastDigest: KeyWindowDigest | undefined;
  private lastId = '';
  private lastIdHash: IdHash = { a: 0, b: 0 };

  constructor(options: PairStatsOptions = {}) {
    this.wantDigests = options.digests ?? false;
    this.keepUpTo = options.keepPairsUpTo ?? 0;
    this.kept = this.keepUpTo > 0 ? new Map() : undefined;
    this.sampleCap = Math.max(2, options.outputTimeSamples ?? 4000);
  }

  add(p: NetflowPair): void {
    const index = this.pairs++;
    const t = p.ts_output;
    if (t < this.firstOutput) this.firstOutput = t;
    if (t > this.lastOutput) this.lastOutput = t;
    const latency = Math.max(0, Math.round(t - p.ingested_at));
    if (latency >= this.latencyCounts.length) {
      const grown = new Float64Array(Math.max(latency + 1, this.latencyCounts.length * 2));
      grown.set(this.latencyCounts);
      this.latencyCounts = grown;
    }
    this.latencyCounts[latency]!++;
    if (index % this.stride === 0) {
      this.samples.push([index, t]);
      if (this.samples.length >= this.sampleCap) {
        this.samples = this.samples.filter((_, i) => i % 2 === 0);
        this.stride *= 2;
      }
    }
    if (p.src_ip4 !== this.lastKwKey || p.window_start !== this.lastKwStart) {
      this.lastKwKey = p.src_ip4;
      this.lastKwStart = p.window_start;
      this.lastKw = keyWindowId(p.src_ip4, p.window_start);
      this.keyWindows.add(this.lastKw);
      this.windowStarts.add(p.window_start);
      this.lastDigest = undefined;
    }
    const kw = this.lastKw;
    const swap = p.ts_flow1 > p.ts_flow2 || (p.ts_flow1 === p.ts_flow2 && p.eventid_1 > p.eventid_2);
    const id1 = swap ? p.eventid_2 : p.eventid_1;
    const id2 = swap ? p.eventid_1 : p.eventid_2;
    if (this.wantDigests) {
      let d = this.lastDigest ?? this.digests.get(kw);
      if (!d) this.digests.set(kw, (d = { count: 0, a: 0, b: 0 }));
      this.lastDigest = d;
      const h1 = this.idHash(id1);
      const h2 = this.idHash(id2);
      F64[0] = p.distance;
      const lo = U32[0]!;
      const hi = U32[1]!;
      d.count++;
      d.a = (d.a + pairHash(0x9747b28c, h1.a, h2.a, lo, hi)) >>> 0;
      d.b = (d.b + pairHash(0x5bd1e995, h1.b, h2.b, lo, hi)) >>> 0;
    }
    if (this.kept) {
      if (this.pairs > this.keepUpTo) {
        this.kept = undefined;
        this.keptTruncated = true;
      } else {
        let list = this.kept.get(kw);
        if (!list) this.kept.set(kw, (list = []));
        list.push([id1, id2, p.distance]);
      }
    }
  }

  /** Latency percentile (0..100) in ms, or null without pairs. */
  latencyPercentile(q: number): number | null {
    return percentileOf(this.latencyPairs(), q);
  }

  toJSON(): PairStatsJson {
    const any = this.pairs > 0;
    const samples = this.samples.slice();
    if (any && samples[samples.length - 1]?.[0] !== this.pairs - 1) samples.push([this.pairs - 1, this.lastOutput]);
    const out: PairStatsJson = {
      pairs: this.pairs,
      firstOutput: any ? this.firstOutput : null,
      lastOutput: any ? this.lastOutput : null,
      windows: this.windowStarts.size,
      keyWindows: this.keyWindows.size,
      latency: this.latencyPairs(),
      outputTimes: samples,
      ...(this.wantDigests ? { digests: [...this.digests].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([k, d]) => [k, d.count, d.a, d.b] as const) } : {}),
      ...(this.kept ? { kept: Object.fromEntries([...this.kept].map(([k, l]) => [k, l.slice().sort(compareTriples)])) } : {}),
      ...(this.keptTruncated ? { keptTruncated: true } : {}),
    };
    return out;
  }

  private latencyPairs(): [number, number][] {
    const out: [number, number][] = [];
    const c = this.latencyCounts;
    for (let i = 0; i < c.length; i++) if (c[i]! > 0) out.push([i, c[i]!]);
    return out;
  }

  private idHash(id: string): IdHash {
    // Pairs come out first-event-major, so the same id often repeats: skip the map for it.
    if (id === this.lastId) return this.lastIdHash;
    let h = this.idHashes.get(id);
    if (!h) this.idHashes.set(id, (h = { a: stringHash(id, 0x811c9dc5), b: stringHash(id, 0x01000193) }));
    this.lastId = id;
    this.lastIdHash = h;
    return h;
  }
}

/**
 * A sink feeding every pair to `stats` (in-process runs only: the stats live in this process).
 * @example pairs.apply('Stats', CollectPairStats(stats))
 */
export function CollectPairStats(stats: PairStats): PTransform<PCollection<NetflowPair>, PCollection<never>> {
  return {
    name: 'CollectPairStats',
    expand: (input, ctx) => ParDo<NetflowPair, never>({ process: (p) => stats.add(p) } satisfies DoFn<NetflowPair, never>).expand(input, ctx),
  };
}

/**
 * The q-th percentile (0..100, nearest rank) of a distribution given as ascending `[value, count]`.
 * @example percentileOf([[1, 50], [10, 50]], 50) // 1
 */
export function percentileOf(counts: readonly (readonly [number, number])[], q: number): number | null {
  let total = 0;
  for (const [, n] of counts) total += n;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((q / 100) * total));
  let seen = 0;
  for (const [v, n] of counts) {
    seen += n;
    if (seen >= rank) return v;
  }
  return counts[counts.length - 1]![0];
}

export function compareTriples(x: PairTriple, y: PairTriple): number {
  if (x[0] !== y[0]) return x[0] < y[0] ? -1 : 1;
  if (x[1] !== y[1]) return x[1] < y[1] ? -1 : 1;
  return x[2] - y[2];
}

/** A double's two 32-bit words: equal distances, bit for bit, give equal words. */
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

interface IdHash {
  readonly a: number;
  readonly b: number;
}

/** FNV-1a over UTF-16 code units, with a chosen offset basis. */
function stringHash(s: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A MurmurHash3-style mix of four 32-bit words. */
function pairHash(seed: number, w1: number, w2: number, w3: number, w4: number): number {
  let h = seed;
  h = mix(h, w1);
  h = mix(h, w2);
  h = mix(h, w3);
  h = mix(h, w4);
  h ^= 16;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
