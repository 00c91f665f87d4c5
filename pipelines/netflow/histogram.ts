import type { CombineFn } from '../../sdk/combine-fn.js';

/**
 * Distance histograms: the analyst's view of where the long tail is.
 * - `{ kind: 'log', bucketsPerDecade }`: bucket `i` is `[10^(i/k), 10^((i+1)/k))`, so a distribution
 *   spanning many orders of magnitude (byte counts) stays readable; distance 0 has its own bucket.
 * - `{ kind: 'linear', width }`: bucket `i` is `[i·width, (i+1)·width)`.
 */
export type HistogramSpec = { readonly kind: 'log'; readonly bucketsPerDecade: number } | { readonly kind: 'linear'; readonly width: number };

/** Five buckets per decade: 1, 1.58, 2.51, 3.98, 6.31, 10, ... */
export const DEFAULT_HISTOGRAM: HistogramSpec = { kind: 'log', bucketsPerDecade: 5 };

/** A histogram being built (plain data, so runners can snapshot it). */
export interface HistogramAcc {
  readonly spec: HistogramSpec;
  count: number;
  /** Values equal to 0 (log buckets cannot hold them). */
  zero: number;
  min: number;
  max: number;
  sum: number;
  /** Count per bucket index (sparse). */
  readonly counts: Record<string, number>;
}

/** One bucket of a finished histogram: `[lo, hi)` (the zero bucket of a log histogram is `[0, 0]`). */
export interface HistogramBucket {
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
}

/** A finished histogram: buckets with at least one value, in ascending order. */
export interface Histogram {
  readonly spec: HistogramSpec;
  readonly count: number;
  /** `null` when empty. */
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  readonly buckets: readonly HistogramBucket[];
}

/**
 * Parses `--histogram`'s value: `log`, `log:<buckets per decade>` (a whole number 1..100) or
 * `linear:<width>` (a decimal number > 0), with no blanks.
 * @throws Error naming `--histogram=<text>` for anything else or a non-positive number.
 * @example parseHistogramSpec('linear:1000') // { kind: 'linear', width: 1000 }
 */
export function parseHistogramSpec(text: string): HistogramSpec {
  const [kind, arg, ...extra] = text.split(':');
  // Digits only (Number() read ' 5' as 5 and 0x10 as 16), and nothing after the number (log:5:9 silently dropped the 9).
  if (extra.length > 0) throw new Error(`--histogram=${text}: use log, log:<buckets per decade> or linear:<width>`);
  if (kind === 'log') {
    const k = arg === undefined ? 5 : /^\d+$/.test(arg) ? Number(arg) : Number.NaN;
    if (!(Number.isInteger(k) && k >= 1 && k <= 100)) throw new Error(`--histogram=${text}: buckets per decade must be an integer 1..100`);
    return { kind: 'log', bucketsPerDecade: k };
  }
  if (kind === 'linear') {
    const w = arg !== undefined && /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(arg) ? Number(arg) : Number.NaN;
    if (!(Number.isFinite(w) && w > 0)) throw new Error(`--histogram=${text}: linear needs a positive width, e.g. linear:1000`);
    return { kind: 'linear', width: w };
  }
  throw new Error(`--histogram=${text}: use log, log:<buckets per decade> or linear:<width>`);
}

/** An empty histogram. @throws RangeError for an invalid spec. */
export function emptyHistogram(spec: HistogramSpec = DEFAULT_HISTOGRAM): HistogramAcc {
  if (spec.kind === 'log' && !(Number.isInteger(spec.bucketsPerDecade) && spec.bucketsPerDecade >= 1)) throw new RangeError(`bucketsPerDecade must be a positive integer`);
  if (spec.kind === 'linear' && !(Number.isFinite(spec.width) && spec.width > 0)) throw new RangeError(`linear bucket width must be > 0`);
  return { spec, count: 0, zero: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, sum: 0, counts: {} };
}

/** The bucket index of `value` (>= 0, finite) under `spec`; `-Infinity` for the zero bucket of a log histogram. */
export function bucketIndex(spec: HistogramSpec, value: number): number {
  if (spec.kind === 'linear') return Math.floor(value / spec.width);
  if (value <= 0) return Number.NEGATIVE_INFINITY;
  const k = spec.bucketsPerDecade;
  const x = Math.log10(value) * k;
  let i = Math.floor(x);
  // Math.log10 can be off by an ulp at bucket edges: near one, settle on the bucket whose bounds hold value.
  const f = x - i;
  if (f < 1e-9 || f > 1 - 1e-9) {
    if (Math.pow(10, i / k) > value) i--;
    else if (Math.pow(10, (i + 1) / k) <= value) i++;
  }
  return i;
}

/** The bounds `[lo, hi)` of bucket `index`. */
export function bucketBounds(spec: HistogramSpec, index: number): [number, number] {
  if (spec.kind === 'linear') return [index * spec.width, (index + 1) * spec.width];
  if (index === Number.NEGATIVE_INFINITY) return [0, 0];
  return [Math.pow(10, index / spec.bucketsPerDecade), Math.pow(10, (index + 1) / spec.bucketsPerDecade)];
}

/** Adds one value (mutates and returns `acc`). Negative or non-finite values are refused. */
export function addToHistogram(acc: HistogramAcc, value: number): HistogramAcc {
  if (!(value >= 0 && Number.isFinite(value))) throw new RangeError(`histogram values must be finite and >= 0, got ${value}`);
  acc.count++;
  acc.sum += value;
  if (value < acc.min) acc.min = value;
  if (value > acc.max) acc.max = value;
  const i = bucketIndex(acc.spec, value);
  if (i === Number.NEGATIVE_INFINITY) acc.zero++;
  else acc.counts[i] = (acc.counts[i] ?? 0) + 1;
  return acc;
}

/** Adds `other` into `acc` (mutates and returns `acc`). @throws Error when the specs differ. */
export function mergeHistogramInto(acc: HistogramAcc, other: HistogramAcc): HistogramAcc {
  if (JSON.stringify(acc.spec) !== JSON.stringify(other.spec)) throw new Error(`cannot merge histograms with different buckets: ${JSON.stringify(acc.spec)} vs ${JSON.stringify(other.spec)}`);
  acc.count += other.count;
  acc.zero += other.zero;
  acc.sum += other.sum;
  if (other.min < acc.min) acc.min = other.min;
  if (other.max > acc.max) acc.max = other.max;
  for (const [i, n] of Object.entries(other.counts)) acc.counts[i] = (acc.counts[i] ?? 0) + n;
  return acc;
}

/** The finished form: non-empty buckets in ascending order. */
export function finishHistogram(acc: HistogramAcc): Histogram {
  const indexes = Object.keys(acc.counts).map(Number).sort((a, b) => a - b);
  const buckets: HistogramBucket[] = [];
  if (acc.zero > 0) buckets.push({ lo: 0, hi: 0, count: acc.zero });
  for (const i of indexes) {
    const [lo, hi] = bucketBounds(acc.spec, i);
    buckets.push({ lo, hi, count: acc.counts[i]! });
  }
  const empty = acc.count === 0;
  return { spec: acc.spec, count: acc.count, min: empty ? null : acc.min, max: empty ? null : acc.max, mean: empty ? null : acc.sum / acc.count, buckets };
}

/**
 * A CombineFn building a histogram of distances.
 * @example distances.apply(Combine.globally(histogramFn({ kind: 'linear', width: 100 })))
 */
export function histogramFn(spec: HistogramSpec = DEFAULT_HISTOGRAM): CombineFn<number, HistogramAcc, Histogram> {
  return {
    createAccumulator: () => emptyHistogram(spec),
    addInput: (acc, d) => addToHistogram(acc, d),
    mergeAccumulators: (accs) => accs.reduce((a, b) => mergeHistogramInto(a, b), emptyHistogram(spec)),
    extractOutput: finishHistogram,
  };
}

/**
 * A CombineFn merging partial histograms (e.g. one per key and window, built where the distances
 * are computed) into one: the "combiner lifting" form of {@link histogramFn}, whose shuffle carries
 * one small histogram per group instead of every distance.
 */
export function mergeHistogramsFn(spec: HistogramSpec = DEFAULT_HISTOGRAM): CombineFn<HistogramAcc, HistogramAcc, Histogram> {
  return {
    createAccumulator: () => emptyHistogram(spec),
    addInput: (acc, part) => mergeHistogramInto(acc, part),
    mergeAccumulators: (accs) => accs.reduce((a, b) => mergeHistogramInto(a, b), emptyHistogram(spec)),
    extractOutput: finishHistogram,
  };
}
