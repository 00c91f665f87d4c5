import { UserCodeError, WatershedError } from '../../../sdk/errors.js';
import type { WindowIntoPayload } from '../../../sdk/graph.js';
import { invalidInstantMessage, isValidInstant } from '../../../sdk/internal/valid-instant.js';
import type { WindowFn } from '../../../sdk/windows/window-fn.js';
import type { PaneInfo } from '../../../sdk/pane.js';
import { TIMESTAMP_MAX, TIMESTAMP_MIN, type Instant } from '../../../sdk/time.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import type { ColumnChunk } from '../columns.js';
import { checkAssignedWindows, distinctWindows } from './assigned-windows.js';
import { BaseOperator, type MaybePromise, type OperatorContext } from './operator.js';

/** Compares unequal to anything a WindowFn returns (undefined and null included). */
const UNCHECKED = Symbol('unchecked');

/**
 * Window.into: assigns each element (optionally re-timestamped) to its windows, one output per window.
 * A WindowFn that throws or returns an invalid window (see checkAssignedWindows: no string id, a NaN
 * or non-numeric maxTimestamp, an interval with end <= start) fails the run with a UserCodeError
 * naming this step, the WindowFn and the element, instead of letting the element vanish downstream.
 * The windows returned are a set: a window listed twice (same id) gets the element once.
 *
 * With a processing-time WindowFn (ProcessingTimeWindows) it first stamps each element with the
 * processing time at which it sees it: the clock's, per element, in immediate mode (native); in
 * deferred mode (micro-batch) the processing time of the pass that runs the batch (its input is then
 * taken at the pass, `takesInputAtPass`), the same for the whole batch. Its output watermark is the
 * processing time reached (never an element stamped behind it), or the end of time once its input
 * ended; it asks to be woken (`nextProcessingTimer`) when processing time reaches the end of a window
 * it put elements in, so that the window fires then.
 */
export class WindowIntoOperator extends BaseOperator {
  private readonly out = this.ctx.ports['main']!;
  private readonly assign: boolean;
  private readonly timestampFn: WindowIntoPayload['timestampFn'];
  private readonly passThrough: boolean;
  /** The WindowFn assigns by processing time (see the class comment). */
  private readonly byProcessingTime: boolean;
  /** Processing time reached: the output watermark while the input lasts; no element is stamped before it. */
  private pt: Instant = TIMESTAMP_MIN;
  /** Deferred mode: the processing time of the current pass (undefined: a pass without one). */
  private passTime: Instant | undefined;
  /** Ends (maxTimestamp + 1) of windows given elements that processing time has not reached yet. */
  private readonly pendingEnds = new Set<Instant>();
  /** The last window list an element was assigned (its ends are in pendingEnds). */
  private lastAssigned: readonly BoundedWindow[] | undefined;
  /** The last window list checked by {@link checkAssignedWindows} (WindowFns reuse lists between elements). */
  private lastChecked: unknown = UNCHECKED;
  /** That list as a set ({@link distinctWindows}): the list itself unless a window repeats in it. */
  private lastDistinct: readonly BoundedWindow[] = [];
  /** Reused for every element: WindowFns must not keep the context they are given. */
  private readonly assignCtx: { element: unknown; timestamp: number; window: WindowedValue<unknown>['window'] } = { element: undefined, timestamp: 0, window: undefined as never };
  constructor(
    ctx: OperatorContext,
    private readonly payload: WindowIntoPayload,
    private readonly windowFn: WindowFn<unknown>,
  ) {
    super(ctx);
    this.assign = payload.assign;
    this.timestampFn = payload.timestampFn;
    this.passThrough = !payload.assign && !payload.timestampFn;
    this.byProcessingTime = payload.assign && windowFn.timeDomain === 'PROCESSING_TIME';
  }

  override takesInputAtPass(): boolean {
    return this.byProcessingTime;
  }

  override beginPass(processingTime: Instant | undefined): void {
    if (this.byProcessingTime) this.passTime = processingTime === undefined ? undefined : Math.max(this.pt, processingTime);
  }

  override advanceProcessingTime(now: Instant): void {
    if (!this.byProcessingTime || now <= this.pt) return;
    this.pt = now;
    for (const end of this.pendingEnds) if (end <= now) this.pendingEnds.delete(end);
  }

  override outputWatermark(): Instant {
    if (!this.byProcessingTime || this.inputWm >= TIMESTAMP_MAX) return this.inputWm;
    return this.pt;
  }

  override nextProcessingTimer(): Instant | undefined {
    let t: Instant | undefined;
    for (const end of this.pendingEnds) if (t === undefined || end < t) t = end;
    return t;
  }

  override snapshotOperator(): unknown {
    return this.byProcessingTime ? { pt: this.pt, pendingEnds: [...this.pendingEnds] } : undefined;
  }

  override restoreOperator(snapshot: unknown, inputWm: Instant | undefined): void {
    super.restoreOperator(snapshot, inputWm);
    const s = snapshot as { pt: Instant; pendingEnds: Instant[] } | undefined;
    this.pendingEnds.clear();
    this.lastAssigned = undefined;
    if (s === undefined || !this.byProcessingTime) return;
    this.pt = s.pt;
    for (const end of s.pendingEnds) this.pendingEnds.add(end);
  }

  /**
   * The processing time an element is stamped with now: the pass's in deferred mode, else the clock's
   * (never before the processing time reached, should the clock step back). Immediate mode moves the
   * watermark with it.
   */
  private stampTime(): Instant {
    if (this.ctx.fireMode === 'deferred' && this.passTime !== undefined) return this.passTime;
    const now = Math.max(this.pt, this.ctx.clock.now());
    if (this.ctx.fireMode === 'immediate') this.advanceProcessingTime(now);
    return now;
  }

  processParts(_input: number, value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): MaybePromise {
    this.ctx.metrics.elementsIn++;
    if (this.byProcessingTime) this.intoByProcessingTime(value, this.stampTime(), window, pane, retraction);
    else this.into(value, timestamp, window, pane, retraction);
    return this.settle();
  }

  /** A micro-batch stage: the whole chunk in one loop, settled once. */
  override processColumns(_input: number, c: ColumnChunk): MaybePromise {
    this.ctx.metrics.elementsIn += c.length;
    const { values, timestamps, windows, panes, retractions, length } = c;
    if (this.byProcessingTime) {
      const t = this.stampTime();
      for (let i = 0; i < length; i++) this.intoByProcessingTime(values[i], t, windows[i]!, panes[i]!, retractions !== undefined && retractions[i] === 1);
    } else if (this.assign && !this.timestampFn) this.assignChunk(c);
    else for (let i = 0; i < length; i++) this.into(values[i], timestamps[i]!, windows[i]!, panes[i]!, retractions !== undefined && retractions[i] === 1);
    return this.settle();
  }

  /** `into` for a chunk when windows are assigned and timestamps kept (the usual Window.into). */
  private assignChunk(c: ColumnChunk): void {
    const { values, timestamps, windows, panes, retractions, length } = c;
    const out = this.out;
    const windowFn = this.windowFn;
    const a = this.assignCtx;
    let i = 0;
    try {
      for (; i < length; i++) {
        const value = values[i];
        const ts = timestamps[i]!;
        a.element = value;
        a.timestamp = ts;
        a.window = windows[i]!;
        const returned = windowFn.assignWindows(a);
        const assigned = returned === this.lastChecked ? this.lastDistinct : this.check(returned);
        const retraction = retractions !== undefined && retractions[i] === 1;
        for (let j = 0; j < assigned.length; j++) out.emitParts(value, ts, assigned[j]!, panes[i]!, retraction);
      }
    } catch (e) {
      if (e instanceof WatershedError) throw e;
      throw new UserCodeError(this.step, `window assignment (${windowFn.name})`, e, values[i], windows[i], timestamps[i]);
    }
  }

  /** Emits the element once per window it is assigned to (re-timestamped first, if asked). */
  private into(value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    const out = this.out;
    if (this.passThrough) {
      out.emitParts(value, timestamp, window, pane, retraction);
      return;
    }
    let ts = timestamp;
    if (this.timestampFn) ts = this.stamp(value, timestamp, window);
    try {
      if (!this.assign) {
        out.emitParts(value, ts, window, pane, retraction);
        return;
      }
      const a = this.assignCtx;
      a.element = value;
      a.timestamp = ts;
      a.window = window;
      const returned = this.windowFn.assignWindows(a);
      const windows = returned === this.lastChecked ? this.lastDistinct : this.check(returned);
      for (let i = 0; i < windows.length; i++) out.emitParts(value, ts, windows[i]!, pane, retraction);
    } catch (e) {
      if (e instanceof WatershedError) throw e;
      throw new UserCodeError(this.step, `window assignment (${this.windowFn.name})`, e, value, window, ts);
    }
  }

  /**
   * Checks a window list the WindowFn returned (see checkAssignedWindows) and returns it as a set
   * (see distinctWindows), remembered for the next element that gets the same list.
   * @throws TypeError for a bad list.
   */
  private check(windows: readonly BoundedWindow[]): readonly BoundedWindow[] {
    checkAssignedWindows(windows);
    const distinct = distinctWindows(windows);
    this.lastChecked = windows;
    this.lastDistinct = distinct;
    return distinct;
  }

  /**
   * The timestamp function's result for the element.
   * @throws UserCodeError (phase 'timestamp function') when it throws or returns what is not a valid
   * instant (NaN, ±Infinity, outside TIMESTAMP_MIN..TIMESTAMP_MAX): such an element could not be windowed.
   */
  private stamp(value: unknown, timestamp: Instant, window: BoundedWindow): Instant {
    let ts: unknown;
    try {
      ts = this.timestampFn!(value, timestamp);
      if (!isValidInstant(ts)) throw new RangeError(invalidInstantMessage(ts, 'the timestamp function returned'));
    } catch (e) {
      if (e instanceof WatershedError) throw e;
      throw new UserCodeError(this.step, 'timestamp function', e, value, window, timestamp);
    }
    return ts;
  }

  /** Stamps the element with processing time `t` and emits it once per window that time is in. */
  private intoByProcessingTime(value: unknown, t: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    const a = this.assignCtx;
    let windows: readonly BoundedWindow[];
    try {
      a.element = value;
      a.timestamp = t;
      a.window = window;
      const returned = this.windowFn.assignWindows(a);
      windows = returned === this.lastChecked ? this.lastDistinct : this.check(returned);
    } catch (e) {
      if (e instanceof WatershedError) throw e;
      throw new UserCodeError(this.step, `window assignment (${this.windowFn.name})`, e, value, window, t);
    }
    if (windows !== this.lastAssigned) {
      this.lastAssigned = windows;
      for (let i = 0; i < windows.length; i++) this.pendingEnds.add(windows[i]!.maxTimestamp + 1);
    }
    const out = this.out;
    for (let i = 0; i < windows.length; i++) out.emitParts(value, t, windows[i]!, pane, retraction);
  }
}
