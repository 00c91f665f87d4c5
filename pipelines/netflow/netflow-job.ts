import type { DeadLetter } from '../../sdk/dead-letter.js';
import { statefulDoFn, type DoFn } from '../../sdk/dofn.js';
import type { LateRecord } from '../../sdk/graph.js';
import type { KV } from '../../sdk/kv.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { PTransform } from '../../sdk/ptransform.js';
import { StateSpec, type BagStateSpec } from '../../sdk/state.js';
import { seconds, type Duration, type Instant } from '../../sdk/time.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { formatWindow, isIntervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { GlobalWindows } from '../../sdk/windows/global-windows.js';
import { Combine } from '../../transforms/combine.js';
import { Top } from '../../transforms/combiners/top.js';
import { Flatten } from '../../transforms/flatten.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window, WindowTransform, WithTimestamps } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { euclideanDistance, type PairResult } from './distance.js';
import { featureExtractor, TRAFFIC_FEATURES, type FeatureName, type Scaling } from './features.js';
import { eventTimeMillis, type FlowRecord } from './flow-record.js';
import { addToHistogram, DEFAULT_HISTOGRAM, emptyHistogram, mergeHistogramsFn, type Histogram, type HistogramAcc, type HistogramSpec } from './histogram.js';
import { parseFlow, type RejectReason } from './parse-flow.js';
import type { LineOrigin, NetflowLine } from './sourced-line.js';
import type { LineEncoder } from '../../transforms/io/text-file.js';
import { writeNumberText } from '../../transforms/io/number-text.js';
import { NETFLOW_WINDOW_MS } from './tumbling-window.js';

/**
 * A parsed flow, the processing time at which it entered the job (its ingestion time), and where its
 * line came from (file and line, or Kafka topic, partition and offset; undefined for a bare line).
 */
export interface IngestedFlow {
  readonly record: FlowRecord;
  readonly ingestedAt: Instant;
  readonly origin?: LineOrigin | undefined;
}

/**
 * One result of the job: a pair of events of the same source IP and window and their distance.
 * The six members of the seed's output record, plus where it belongs and when its input arrived
 * (the output line written by {@link formatNetflowPair} carries only the six).
 */
export interface NetflowPair extends PairResult {
  /** Processing time (epoch ms) when the distance was computed and emitted. */
  readonly ts_output: number;
  /** The key: the pair's source IPv4 address as an unsigned integer. */
  readonly src_ip4: number;
  /** Start (epoch ms) of the pair's event-time window. */
  readonly window_start: number;
  /** Ingestion time of the later of the two events: the pair could not be computed before it. */
  readonly ingested_at: number;
}

/** The top-N most distant pairs of one window (over all source IPs), for one pane. */
export interface WindowTopPairs {
  readonly window_start: number;
  readonly window_end: number;
  readonly pairs: readonly NetflowPair[];
}

export interface NetflowJobOptions {
  /** Tumbling event-time window size in ms (default 3000). */
  readonly windowMs?: number;
  /** Features of the distance (default the five traffic features). */
  readonly features?: readonly FeatureName[];
  /** Feature scaling before the distance (default `'none'`). */
  readonly scaling?: Scaling;
  /**
   * How long after the end of a window late events are still paired (default 0). A late event is
   * paired with every event of its key and window seen before and with the other late events of its
   * pane, so the set of pairs is the same as if it had been on time.
   */
  readonly allowedLatenessMs?: Duration;
  /** Number of most distant pairs per window to report (default 0: no top-N output). */
  readonly topN?: number;
  /** Distance histogram over the whole run (default log buckets, 5 per decade); `false` for none. */
  readonly histogram?: HistogramSpec | false;
  /** Unbounded input only: how often the run's histogram so far is emitted (default 10 s of processing time). */
  readonly histogramEveryMs?: Duration;
}

export interface NetflowJobOutputs {
  /** Every pair, emitted one by one while the pairs of a key and window are computed. */
  readonly pairs: PCollection<NetflowPair>;
  /**
   * Records that were rejected, with the reason (`ipv6`, `malformed-json`, `missing-field`, ...; and
   * `user-code` for a line that made DropIPv6 or Parse throw), the raw line as `element` and, for a
   * {@link SourcedLine} input, its origin.
   */
  readonly rejected: PCollection<DeadLetter>;
  /** The valid records, with their ingestion time. */
  readonly flows: PCollection<IngestedFlow>;
  /** Records that arrived after their window's allowed lateness (not paired). */
  readonly late: PCollection<LateRecord>;
  /** Top-N most distant pairs per window (when `topN > 0`). */
  readonly top?: PCollection<WindowTopPairs>;
  /** The run's distance histogram (unless `histogram: false`). */
  readonly histogram?: PCollection<Histogram>;
}

/** The options with defaults applied and checked. */
export interface ResolvedNetflowJobOptions {
  readonly windowMs: number;
  readonly features: readonly FeatureName[];
  readonly scaling: Scaling;
  readonly allowedLatenessMs: Duration;
  readonly topN: number;
  readonly histogram: HistogramSpec | false;
  readonly histogramEveryMs: Duration;
}

/**
 * Applies defaults and checks the options.
 * @throws RangeError for a window that is not a positive integer of ms, a negative lateness, a
 *   top-N that is not a non-negative integer, no features, or an invalid scaling divisor.
 */
export function resolveNetflowJobOptions(options: NetflowJobOptions = {}): ResolvedNetflowJobOptions {
  const o: ResolvedNetflowJobOptions = {
    windowMs: options.windowMs ?? NETFLOW_WINDOW_MS,
    features: options.features ?? TRAFFIC_FEATURES,
    scaling: options.scaling ?? 'none',
    allowedLatenessMs: options.allowedLatenessMs ?? 0,
    topN: options.topN ?? 0,
    histogram: options.histogram ?? DEFAULT_HISTOGRAM,
    histogramEveryMs: options.histogramEveryMs ?? seconds(10),
  };
  if (!(Number.isInteger(o.windowMs) && o.windowMs > 0)) throw new RangeError(`window must be a positive whole number of ms, got ${o.windowMs}`);
  if (!(o.allowedLatenessMs >= 0)) throw new RangeError(`allowed lateness must be >= 0 ms, got ${o.allowedLatenessMs}`);
  if (!(Number.isInteger(o.topN) && o.topN >= 0)) throw new RangeError(`top-N must be a whole number >= 0, got ${o.topN}`);
  if (o.features.length === 0) throw new RangeError('the distance needs at least one feature');
  featureExtractor(o.features, o.scaling); // checks the scaling
  if (o.histogram) emptyHistogram(o.histogram); // checks the buckets
  return o;
}

/**
 * The Netflow job of the seed ("Big Data applied: Spark vs Flink") as one composite transform over
 * raw Netflow JSON lines, so any source (generator, file, sensor-log reader, Kafka) can feed it; a
 * line may carry its origin (a {@link SourcedLine}), which rejected and late records then keep:
 *
 *   DropIPv6 → Parse (validate; rejects go to `rejected` with the reason and are counted per reason
 *   in the step's user metrics `rejected.<reason>`) → EventTime (timestamps from `eventtime`) →
 *   BySourceIp (key `src_ip4`) → Window (tumbling, `windowMs`) → GroupByKey → Pairs (every unordered
 *   pair of the key and window, Euclidean distance over the chosen features, one output per pair,
 *   emitted inside the pair loop: the list of pairs is never built).
 *
 * The analyst's view: `TopPerWindow` (Top.of over the most distant pairs) and `RunHistogram`
 * (Combine.globally over the distances, lifted: Pairs builds one partial histogram and one top-N per
 * key and window, so the shuffles carry a few values per group instead of every pair — a micro-batch
 * stage would otherwise materialise millions of pairs).
 *
 * Within a key and window the events are sorted by event time then eventid, and each pair has the
 * earlier event first, so results do not depend on arrival order (the same order as `referencePairs`).
 *
 * @throws RangeError (at construction) for invalid options, see {@link resolveNetflowJobOptions}.
 * @example
 * const { pairs, rejected } = lines.apply('Netflow', NetflowJob.of({ windowMs: 3000, topN: 10 }));
 */
export const NetflowJob = {
  of(options: NetflowJobOptions = {}): PTransform<PCollection<NetflowLine>, NetflowJobOutputs> {
    const o = resolveNetflowJobOptions(options);
    return { name: 'NetflowJob', expand: (lines) => expandJob(lines, o) };
  },
};

type Tagged = { rejected: DeadLetter };
type PairTags = { topCandidates: NetflowPair; histogramParts: HistogramAcc; rejected: DeadLetter };

function expandJob(lines: PCollection<NetflowLine>, o: ResolvedNetflowJobOptions): NetflowJobOutputs {
  // Dead letters on: a line that makes either step throw is rejected as `user-code`, not fatal.
  const dropped = lines.apply('DropIPv6', ParDo<NetflowLine, NetflowLine, Tagged>(dropIpv6Fn()).withDeadLetters().withOutputs('rejected'));
  const parsed = dropped.main.apply('Parse', ParDo<NetflowLine, IngestedFlow, Tagged>(parseFn()).withDeadLetters().withOutputs('rejected'));
  const grouped = parsed.main
    .apply('EventTime', WithTimestamps((f: IngestedFlow) => eventTimeMillis(f.record)))
    .apply('BySourceIp', WithKeys((f: IngestedFlow) => f.record.src_ip4))
    .apply('Window', Window.into<KV<number, IngestedFlow>>(FixedWindows(o.windowMs)).withAllowedLateness(o.allowedLatenessMs))
    .apply('GroupByKey', GroupByKey<number, IngestedFlow>());
  const pairs = grouped.apply('Pairs', ParDo<KV<number, IngestedFlow[]>, NetflowPair, PairTags>(pairsFn(o)).withOutputs('topCandidates', 'histogramParts', 'rejected'));
  // Pairs whose distance is not finite, back in the input's windowing to join the other rejects.
  const w = lines.windowing;
  const pairRejects = pairs.rejected.apply('PairRejects', new WindowTransform<DeadLetter>({
    windowFn: w.windowFn, trigger: w.trigger, accumulationMode: w.accumulationMode, allowedLateness: w.allowedLateness, timestampCombiner: w.timestampCombiner, onTimeBehavior: w.onTimeBehavior,
  }));
  const rejected = dropped.rejected.apply('Rejected', Flatten.with(parsed.rejected, dropped.main.deadLetters(), parsed.main.deadLetters(), pairRejects));

  let top: PCollection<WindowTopPairs> | undefined;
  if (o.topN > 0) {
    top = pairs.topCandidates
      .apply('TopPerWindow', Top.of<NetflowPair>(o.topN, compareByDistance).globally().withoutDefaults())
      .apply('WithWindow', ParDo<NetflowPair[], WindowTopPairs>({
        process(list, ctx) {
          const w = ctx.window;
          ctx.output(isIntervalWindow(w) ? { window_start: w.start, window_end: w.end, pairs: list } : { window_start: list[0]!.window_start, window_end: list[0]!.window_start + o.windowMs, pairs: list });
        },
      }));
  }

  let histogram: PCollection<Histogram> | undefined;
  if (o.histogram) {
    let toRun = Window.into<HistogramAcc>(GlobalWindows());
    // An unbounded run may never end: emit the histogram so far every so often (accumulating), and
    // the final one if the input ends.
    if (!lines.bounded) {
      toRun = toRun
        .triggering(AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(o.histogramEveryMs)))
        .accumulatingFiredPanes();
    }
    histogram = pairs.histogramParts.apply('WholeRun', toRun).apply('RunHistogram', Combine.globally(mergeHistogramsFn(o.histogram)));
  }

  return { pairs: pairs.main, rejected, flows: parsed.main, late: grouped.lateData(), ...(top ? { top } : {}), ...(histogram ? { histogram } : {}) };
}

const IPV6_MEMBER = /"(?:src|dst)_ip6"\s*:\s*"[^"]/;

/**
 * The seed's first step (`filter(!_.contains("src_ip6"))`), on the raw text: an event with a
 * non-empty `src_ip6` / `dst_ip6` member is rejected as `ipv6` without being parsed. (Parse catches
 * the other IPv6 forms, e.g. an address with `:` in `src_ip`.)
 */
function dropIpv6Fn(): DoFn<NetflowLine, NetflowLine, Tagged> {
  let step = 'DropIPv6';
  return {
    setup(ctx) {
      step = ctx.step;
    },
    process(line, ctx) {
      const text = typeof line === 'string' ? line : line.text;
      if (text.includes('_ip6"') && IPV6_MEMBER.test(text)) {
        ctx.metrics.counter('rejected.ipv6').inc();
        ctx.outputTo('rejected', rejectedLine(step, 'ipv6', 'src_ip6 or dst_ip6 present', line, ctx.timestamp));
        return;
      }
      ctx.output(line);
    },
  };
}

/** Validates with `parseFlow`; stamps the ingestion time (processing time on arrival) and keeps the line's origin. */
function parseFn(): DoFn<NetflowLine, IngestedFlow, Tagged> {
  let step = 'Parse';
  return {
    setup(ctx) {
      step = ctx.step;
    },
    process(line, ctx) {
      const sourced = typeof line !== 'string';
      const r = parseFlow(sourced ? line.text : line);
      if (r.ok) {
        ctx.output({ record: r.record, ingestedAt: ctx.processingTime, origin: sourced ? line.origin : undefined });
        return;
      }
      const reason: RejectReason = r.reason;
      ctx.metrics.counter(`rejected.${reason}`).inc();
      ctx.outputTo('rejected', rejectedLine(step, reason, r.detail, line, ctx.timestamp));
    },
  };
}

/** The dead letter of a rejected line: the raw text as element, and the origin when the line has one. */
function rejectedLine(step: string, reason: string, message: string, line: NetflowLine, timestamp: Instant): DeadLetter {
  if (typeof line === 'string') return { step, reason, message, element: line, timestamp };
  return { step, reason, message, element: line.text, timestamp, origin: line.origin };
}

/** Orders events by event time (ms), then eventid: the pair order of the job and of `referencePairs`. */
function byTimeThenId(a: IngestedFlow, b: IngestedFlow): number {
  const dt = eventTimeMillis(a.record) - eventTimeMillis(b.record);
  if (dt !== 0) return dt;
  const x = a.record.eventid;
  const y = b.record.eventid;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Orders pairs by distance, ties broken by the event ids and the key, so Top picks the same pairs
 * whatever the order it sees them in.
 */
export function compareByDistance(a: NetflowPair, b: NetflowPair): number {
  if (a.distance !== b.distance) return a.distance - b.distance;
  if (a.eventid_1 !== b.eventid_1) return a.eventid_1 < b.eventid_1 ? 1 : -1;
  if (a.eventid_2 !== b.eventid_2) return a.eventid_2 < b.eventid_2 ? 1 : -1;
  return b.src_ip4 - a.src_ip4;
}

/** Keeps `top` (greatest first, at most n) sorted while pairs stream past. */
function offerTop(top: NetflowPair[], p: NetflowPair, n: number): void {
  if (top.length === n && compareByDistance(p, top[n - 1]!) <= 0) return;
  let i = top.length;
  while (i > 0 && compareByDistance(p, top[i - 1]!) > 0) i--;
  top.splice(i, 0, p);
  if (top.length > n) top.pop();
}

/**
 * The pair step's NetflowPair. A class rather than an object literal: V8 tracks literals by
 * allocation site and, when a scavenge happens to find a batch of them still queued downstream,
 * may decide to allocate every later one in the old generation (pretenuring), where millions of
 * short-lived pairs then pile up until a full GC (seen: peak RSS 150 MB one run, 300 MB the next).
 * Objects made by `new` are not pretenured that way.
 */
class PairRecord implements NetflowPair {
  constructor(
    readonly eventid_1: string,
    readonly ts_flow1: number,
    readonly eventid_2: string,
    readonly ts_flow2: number,
    readonly distance: number,
    readonly ts_output: number,
    readonly src_ip4: number,
    readonly window_start: number,
    readonly ingested_at: number,
  ) {}
}

const NO_FLOWS: readonly IngestedFlow[] = [];
/** Pairs emitted between two backpressure checks of the pair step. */
const DRAIN_EVERY = 4096;

/**
 * The pair step. Per pane of a key and window: sorts the pane's events, then emits each pair as soon
 * as its distance is computed (never building the list). With allowed lateness, the events of
 * earlier panes are kept in state until the window expires, and a late pane pairs its events with
 * them and among themselves.
 */
function pairsFn(o: ResolvedNetflowJobOptions) {
  const toVector = featureExtractor(o.features, o.scaling);
  const keepSeen = o.allowedLatenessMs > 0;
  const topN = o.topN;
  const spec = o.histogram;
  let step = 'Pairs';
  return statefulDoFn<KV<number, IngestedFlow[]>, NetflowPair, { seen: BagStateSpec<IngestedFlow> }, {}, PairTags>({
    state: { seen: StateSpec.bag<IngestedFlow>() },
    setup(ctx) {
      step = ctx.step;
    },
    async process(group, ctx) {
      const key = group.key;
      const w = ctx.window;
      const windowStart = isIntervalWindow(w) ? w.start : Math.floor(ctx.timestamp / o.windowMs) * o.windowMs;
      const fresh = group.value.slice().sort(byTimeThenId);
      const old = keepSeen ? ctx.state.seen.read() : NO_FLOWS;
      const hist = spec ? emptyHistogram(spec) : undefined;
      const top: NetflowPair[] | undefined = topN > 0 ? [] : undefined;
      const nf = fresh.length;
      const vectors = fresh.map((f) => toVector(f.record));
      const times = fresh.map((f) => eventTimeMillis(f.record));
      let count = 0;
      // Processing time is read once per row of pairs (a clock read per pair costs more than the distance).
      let now = ctx.processingTime;
      const emit = (a: IngestedFlow, ta: number, b: IngestedFlow, tb: number, distance: number): void => {
        if (!Number.isFinite(distance)) {
          // e.g. scaled values whose squares overflow: this pair to the dead letters, the rest goes on
          ctx.metrics.counter('rejected.non-finite-distance').inc();
          ctx.outputTo('rejected', {
            step,
            reason: 'non-finite-distance',
            message: `distance is ${distance}`,
            element: { eventid_1: a.record.eventid, ts_flow1: ta, eventid_2: b.record.eventid, ts_flow2: tb, src_ip4: key, window_start: windowStart, features: o.features, scaling: o.scaling },
            timestamp: ctx.timestamp,
            window: formatWindow(w),
          });
          return;
        }
        const pair = new PairRecord(a.record.eventid, ta, b.record.eventid, tb, distance, now, key, windowStart, a.ingestedAt > b.ingestedAt ? a.ingestedAt : b.ingestedAt);
        ctx.output(pair);
        count++;
        if (hist) addToHistogram(hist, distance);
        if (top) offerTop(top, pair, topN);
      };
      // Backpressure: after each row of pairs (and at least every DRAIN_EVERY pairs), wait while a slow
      // asynchronous sink (Kafka) still holds earlier pairs, so memory stays bounded by the row.
      let sinceDrain = 0;
      for (let i = 0; i < nf - 1; i++) {
        const a = fresh[i]!;
        const va = vectors[i]!;
        const ta = times[i]!;
        now = ctx.processingTime;
        for (let j = i + 1; j < nf; j++) emit(a, ta, fresh[j]!, times[j]!, euclideanDistance(va, vectors[j]!));
        if ((sinceDrain += nf - i - 1) >= DRAIN_EVERY) {
          sinceDrain = 0;
          const d = ctx.drain();
          if (d) await d;
        }
      }
      for (const x of old) {
        const vx = toVector(x.record);
        const tx = eventTimeMillis(x.record);
        now = ctx.processingTime;
        for (let j = 0; j < nf; j++) {
          const y = fresh[j]!;
          const d = euclideanDistance(vx, vectors[j]!);
          if (byTimeThenId(x, y) <= 0) emit(x, tx, y, times[j]!, d);
          else emit(y, times[j]!, x, tx, d);
        }
        if ((sinceDrain += nf) >= DRAIN_EVERY) {
          sinceDrain = 0;
          const d = ctx.drain();
          if (d) await d;
        }
      }
      if (keepSeen) for (const f of fresh) ctx.state.seen.add(f);
      ctx.metrics.counter('pairs').inc(count);
      ctx.metrics.distribution('eventsPerGroup').update(nf);
      if (hist && hist.count > 0) ctx.outputTo('histogramParts', hist);
      if (top) for (const p of top) ctx.outputTo('topCandidates', p);
    },
  });
}

/**
 * The seed's output line for a pair: `{"eventid_1":…,"ts_flow1":…,"eventid_2":…,"ts_flow2":…,
 * "distance":…,"ts_output":…}`, the same text as `formatPairOutput(pair, pair.ts_output)` but built
 * without an intermediate object and with cheap conversions (it runs once per pair: millions of
 * times for a hot key).
 * @throws RangeError when the distance is not finite.
 */
export function formatNetflowPair(p: NetflowPair): string {
  if (!Number.isFinite(p.distance)) throw new RangeError(`distance is ${p.distance}`);
  // Pairs come out first-event-major and share ids, event times and output times: the text around
  // the distance is cached by its parts, so a pair mostly costs the distance's digits.
  if (p.eventid_1 !== head.id || p.ts_flow1 !== head.ts) {
    head.id = p.eventid_1;
    head.ts = p.ts_flow1;
    head.text = `{"eventid_1":${jsonId(p.eventid_1)},"ts_flow1":${msText(p.ts_flow1)},"eventid_2":`;
  }
  let middle = middles.get(p.eventid_2);
  if (middle === undefined || middle.ts !== p.ts_flow2) {
    if (middles.size >= 100_000) middles.clear();
    middle = { ts: p.ts_flow2, text: `${jsonId(p.eventid_2)},"ts_flow2":${msText(p.ts_flow2)},"distance":` };
    middles.set(p.eventid_2, middle);
  }
  if (p.ts_output !== tail.ts) {
    tail.ts = p.ts_output;
    tail.text = `,"ts_output":${msText(p.ts_output)}}`;
  }
  return head.text + middle.text + p.distance + tail.text;
}

/**
 * A line encoder for `TextFile.writeEncoded`: the bytes of {@link formatNetflowPair} plus `\n`,
 * written straight into the sink's buffer. The text around the distance is kept as bytes per first
 * event, per second event and per output time, so a pair costs its distance's digits and three
 * small copies, and no string is built for the line. Each call makes an encoder with its own caches.
 * `lineEnd: false` leaves out the `\n` (one Kafka record value per pair).
 * @example pairs.apply('Write', TextFile.writeEncoded('pairs.ndjson', netflowPairEncoder()))
 * @example pairs.apply('Write', KafkaIO.write({ brokers, topic: 'pairs', encoder: netflowPairEncoder({ lineEnd: false }) }))
 */
export function netflowPairEncoder(options: { readonly lineEnd?: boolean } = {}): LineEncoder<NetflowPair> {
  const lineEnd = options.lineEnd === false ? '' : '\n';
  let headId = '';
  let headTs = Number.NaN;
  let head = Buffer.alloc(0);
  const middles = new Map<string, Middle>();
  // Pairs come row by row, (i, i+1…n-1) then (i+1, i+2…n-1): a row's second events are the previous
  // row's but its first. Following the previous row with a cursor finds the middle without a map
  // lookup almost always; the map is the fallback for any other order.
  let row: Middle[] = [];
  let previousRow: Middle[] = [];
  let cursor = 0;
  let tailTs = Number.NaN;
  let tail = Buffer.alloc(0);
  return (p, buf, offset) => {
    if (!Number.isFinite(p.distance)) throw new RangeError(`distance is ${p.distance}`);
    if (p.eventid_1 !== headId || p.ts_flow1 !== headTs) {
      headId = p.eventid_1;
      headTs = p.ts_flow1;
      head = Buffer.from(`{"eventid_1":${jsonId(p.eventid_1)},"ts_flow1":${msText(p.ts_flow1)},"eventid_2":`, 'utf8');
      previousRow = row;
      row = [];
      cursor = 1;
    }
    let middle: Middle;
    const followed = previousRow[cursor];
    if (followed !== undefined && followed.id === p.eventid_2 && followed.ts === p.ts_flow2) {
      middle = followed;
      cursor++;
    } else {
      const known = middles.get(p.eventid_2);
      if (known !== undefined && known.ts === p.ts_flow2) middle = known;
      else {
        if (middles.size >= 100_000) middles.clear();
        middle = { id: p.eventid_2, ts: p.ts_flow2, bytes: Buffer.from(`${jsonId(p.eventid_2)},"ts_flow2":${msText(p.ts_flow2)},"distance":`, 'utf8') };
        middles.set(p.eventid_2, middle);
      }
    }
    if (row.length < 100_000) row.push(middle);
    if (p.ts_output !== tailTs) {
      tailTs = p.ts_output;
      tail = Buffer.from(`,"ts_output":${msText(p.ts_output)}}${lineEnd}`, 'utf8');
    }
    const mid = middle.bytes;
    let at = offset + head.length + mid.length;
    if (at > buf.length) return -1;
    // The distance's digits as String(distance) gives them, written without making a string.
    at = writeNumberText(p.distance, buf, at);
    if (at < 0 || at + tail.length > buf.length) return -1;
    buf.set(head, offset);
    buf.set(mid, offset + head.length);
    buf.set(tail, at);
    return at + tail.length;
  };
}

/** The bytes between the first event and the distance, for one second event. */
interface Middle {
  readonly id: string;
  readonly ts: number;
  readonly bytes: Buffer;
}

const head = { id: '', ts: Number.NaN, text: '' };
const middles = new Map<string, { ts: number; text: string }>();
const tail = { ts: Number.NaN, text: '' };
const PLAIN_ID = /^[0-9A-Za-z_.:-]*$/;

/** An event id as a JSON string (ids are digits or Zeek uids: no escaping needed, checked). */
function jsonId(id: string): string {
  return PLAIN_ID.test(id) ? `"${id}"` : JSON.stringify(id);
}

const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `String(ms)` for epoch milliseconds, about 4x faster: such values exceed 2^31, which makes V8 take
 * its slow double-to-text path, while whole seconds and the 3 digits of ms do not.
 */
function msText(ms: number): string {
  if (ms >= 1000 && ms <= 2_147_483_647_999 && Number.isInteger(ms)) {
    const s = Math.floor(ms / 1000);
    return String(s) + THREE_DIGITS[ms - s * 1000]!;
  }
  return String(ms);
}
