import type { CombineFn } from '../../../sdk/combine-fn.js';
import type { LateRecord } from '../../../sdk/graph.js';
import { encodeKey, kv, type KV, type StateKey } from '../../../sdk/kv.js';
import type { PaneInfo } from '../../../sdk/pane.js';
import { TIMESTAMP_MAX, TIMESTAMP_MIN, type Instant } from '../../../sdk/time.js';
import { windowOutputTime } from '../util/window-end.js';
import { formatWindow, intervalWindow, type BoundedWindow, type IntervalWindow } from '../../../sdk/window.js';
import { mod } from '../../../sdk/internal/mod.js';
import type { KeyedStateTable } from '../state/keyed-state-table.js';
import { paneError } from './pane-error.js';
import type { Slicing } from './slicing.js';
import type { AggregationDriver, DriverTiming, WindowDriverOptions } from './window-driver.js';

/**
 * One key's slices, in keyed state (table `slices`, namespace `s`): the starts of its slices in
 * ascending order, with an accumulator and an element count each. Plain data.
 */
export interface KeySlices {
  /** The key as the user gave it. */
  k: unknown;
  /** Slice starts, ascending. */
  s: Instant[];
  /** Accumulators, one per slice. */
  a: unknown[];
  /** Elements added, one count per slice. */
  n: number[];
}

/** The namespace of a key's slices in the `slices` table. */
const NS = 's';

/**
 * The aggregation driver for a Combine over sliding windows that `slicingOf` accepts: instead of an
 * accumulator per key and window, one per key and *slice* (one period of the windows; a window of
 * size = K periods is K slices), and an element is added once, to its slice. When the watermark
 * passes a window's end, its result per key is the merge of its slices' accumulators (into a fresh
 * accumulator, so slices are never changed by merging), emitted as the one pane of the window
 * (index 0, ON_TIME, first and last); a slice is dropped once the last window containing it fired.
 *
 * The input gives every element once per window, one copy after another (Window.into is the step
 * before): the copy in the element's latest window (starting at its slice) adds it; every copy whose
 * window the watermark already passed is dropped as late, as per-window state would drop it, and
 * since a window fires once, when the watermark passes its end, the element is then in exactly the
 * windows that fire later. So the outputs are those of per-window state.
 * The output watermark is the input watermark: every pending window ends at or after it.
 */
export class SlicedWindowDriver implements AggregationDriver {
  private readonly o: WindowDriverOptions;
  private readonly fn: CombineFn<unknown, unknown, unknown>;
  private readonly size: number;
  private readonly period: number;
  private readonly offset: number;
  private table: KeyedStateTable<KeySlices>;
  /** The table's entries by key (the table holds one per key). */
  private readonly keys = new Map<StateKey, KeySlices>();
  /** For each slice start some key has: how many keys have it. */
  private readonly slices = new Map<Instant, number>();
  private inputWm: Instant = TIMESTAMP_MIN;
  private outputWm: Instant = TIMESTAMP_MIN;
  /** The slice of the last element's timestamp. */
  private lastTs = Number.NaN;
  private lastSlice = Number.NaN;
  emittedAny = false;

  constructor(o: WindowDriverOptions, slicing: Slicing) {
    this.o = o;
    this.fn = slicing.combineFn;
    this.size = slicing.size;
    this.period = slicing.period;
    this.offset = slicing.offset;
    this.table = o.state.table<KeySlices>(o.step, 'slices');
    this.rebuildIndex();
  }

  get inputWatermark(): Instant {
    return this.inputWm;
  }

  processParts(kvValue: KV<unknown, unknown>, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    const w = window as IntervalWindow;
    if (this.inputWm > fireTime(w.maxTimestamp)) {
      this.dropLate(kvValue, timestamp, window, pane);
      return;
    }
    if (timestamp !== this.lastTs) {
      this.lastTs = timestamp;
      this.lastSlice = timestamp - mod(timestamp - this.offset, this.period);
    }
    // Only the copy in the window that starts at the element's slice adds it.
    if (w.start !== this.lastSlice) return;
    const ks = encodeKey(kvValue.key);
    let e = this.keys.get(ks);
    if (e === undefined) {
      e = { k: kvValue.key, s: [], a: [], n: [] };
      this.keys.set(ks, e);
      this.table.set(ks, NS, e);
    }
    const slice = this.lastSlice;
    const starts = e.s;
    let i = starts.length - 1;
    if (i < 0 || starts[i] !== slice) i = this.sliceIndex(e, slice);
    const fn = this.fn;
    if (retraction) {
      if (!fn.retractInput) throw new Error('this CombineFn cannot take retractions (it has no retractInput)');
      e.a[i] = fn.retractInput(e.a[i], kvValue.value, timestamp);
    } else e.a[i] = fn.addInput(e.a[i], kvValue.value, timestamp);
    e.n[i]!++;
  }

  /** Deferred mode: nothing to evaluate (windows fire only when the watermark passes their end). */
  flush(): void {}

  /** The input watermark moved to `wm`: every window with data whose end it passed fires, earliest first. */
  advanceWatermark(wm: Instant): void {
    if (wm <= this.inputWm) return;
    const prev = this.inputWm;
    this.inputWm = wm;
    const due: Instant[] = [];
    const k = this.size / this.period;
    for (const a of this.slices.keys()) {
      for (let j = 0; j < k; j++) {
        const start = a - j * this.period;
        const t = fireTime(Math.ceil(start + this.size) - 1); // the window's maxTimestamp (intervalWindow)
        // Due now: the watermark passed its end, and had not before.
        if (t < wm && t >= prev && !due.includes(start)) due.push(start);
      }
    }
    due.sort((x, y) => x - y);
    for (const start of due) this.fire(start);
  }

  advanceProcessingTime(_now: Instant): void {}

  nextProcessingTimer(): Instant | undefined {
    return undefined;
  }

  outputWatermark(): Instant {
    if (this.inputWm > this.outputWm) this.outputWm = this.inputWm;
    return this.outputWm;
  }

  /** Checkpoints: the watermarks and flags not held in keyed state (always quiescent: `flush` has nothing to do). */
  timing(): DriverTiming {
    return { inputWm: this.inputWm, outputWm: this.outputWm, emittedAny: this.emittedAny };
  }

  restoreTiming(timing: DriverTiming | undefined): void {
    this.table = this.o.state.table<KeySlices>(this.o.step, 'slices');
    this.inputWm = timing?.inputWm ?? TIMESTAMP_MIN;
    this.outputWm = timing?.outputWm ?? TIMESTAMP_MIN;
    this.emittedAny = timing?.emittedAny ?? false;
    this.lastTs = Number.NaN;
    this.rebuildIndex();
  }

  /** Live (key, slice) accumulators; zero once every window has fired. */
  stateSize(): number {
    let n = 0;
    for (const e of this.keys.values()) n += e.s.length;
    return n;
  }

  // ---------------------------------------------------------------------------------------------

  /** The index of `slice` in `e`, inserted (empty) where it belongs when new. */
  private sliceIndex(e: KeySlices, slice: Instant): number {
    const starts = e.s;
    let i = starts.length;
    while (i > 0 && starts[i - 1]! > slice) i--;
    if (i > 0 && starts[i - 1] === slice) return i - 1;
    starts.splice(i, 0, slice);
    e.a.splice(i, 0, this.fn.createAccumulator());
    e.n.splice(i, 0, 0);
    this.slices.set(slice, (this.slices.get(slice) ?? 0) + 1);
    return i;
  }

  /** Emits the window starting at `start` for every key with data in it, and drops the slice only it still needed. */
  private fire(start: Instant): void {
    const w = intervalWindow(start, start + this.size);
    const end = w.end;
    const timing = this.inputWm <= fireTime(w.maxTimestamp) ? 'EARLY' : 'ON_TIME';
    const ts = windowOutputTime(w);
    const pane: PaneInfo = { index: 0, nonSpeculativeIndex: timing === 'EARLY' ? -1 : 0, timing, isFirst: true, isLast: true };
    const fn = this.fn;
    for (const [ks, e] of this.keys) {
      const starts = e.s;
      let i = 0;
      // Slices before the window: none (their last window fired before this one), but never counted.
      while (i < starts.length && starts[i]! < start) i++;
      const first = i;
      let elements = 0;
      const accs: unknown[] = [fn.createAccumulator()];
      for (; i < starts.length && starts[i]! < end; i++) {
        accs.push(e.a[i]);
        elements += e.n[i]!;
      }
      if (elements > 0) {
        let out: unknown;
        try {
          out = fn.extractOutput(fn.mergeAccumulators(accs));
        } catch (err) {
          throw paneError(this.o.step, e.k, w, ts, err);
        }
        this.o.emit(kv(e.k, out), ts, w, pane, false);
        this.emittedAny = true;
      }
      // The slice starting with the window is in no later window.
      if (first < starts.length && starts[first] === start) this.dropSlice(ks, e, first);
    }
  }

  private dropSlice(ks: StateKey, e: KeySlices, i: number): void {
    const slice = e.s[i]!;
    e.s.splice(i, 1);
    e.a.splice(i, 1);
    e.n.splice(i, 1);
    const left = (this.slices.get(slice) ?? 1) - 1;
    if (left > 0) this.slices.set(slice, left);
    else this.slices.delete(slice);
    if (e.s.length === 0) {
      this.keys.delete(ks);
      this.table.delete(ks, NS);
    }
  }

  private dropLate(value: KV<unknown, unknown>, timestamp: Instant, window: BoundedWindow, pane: PaneInfo): void {
    this.o.metrics.lateDropped++;
    const reason: LateRecord['reason'] = 'past-allowed-lateness';
    this.o.emitLate({ value: { step: this.o.step, value, timestamp, window: formatWindow(window), reason }, timestamp, window, pane });
  }

  /** The by-key index and the slice counts, from the table (after a restore). */
  private rebuildIndex(): void {
    this.keys.clear();
    this.slices.clear();
    for (const [ks, , e] of this.table.entries()) {
      this.keys.set(ks, e);
      for (const s of e.s) this.slices.set(s, (this.slices.get(s) ?? 0) + 1);
    }
  }
}

/** When a window with this maxTimestamp is done (no allowed lateness): as the per-window driver's garbage collection (see windowDoneAt). */
function fireTime(maxTimestamp: Instant): Instant {
  return maxTimestamp < TIMESTAMP_MAX - 1 ? maxTimestamp : TIMESTAMP_MAX - 1;
}
