import { UserCodeError, WatershedError } from '../../../sdk/errors.js';
import type { WindowIntoPayload } from '../../../sdk/graph.js';
import type { WindowFn } from '../../../sdk/windows/window-fn.js';
import type { PaneInfo } from '../../../sdk/pane.js';
import type { Instant } from '../../../sdk/time.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import type { ColumnChunk } from '../columns.js';
import { BaseOperator, type MaybePromise, type OperatorContext } from './operator.js';

/** Window.into: assigns each element (optionally re-timestamped) to its windows, one output per window. */
export class WindowIntoOperator extends BaseOperator {
  private readonly out = this.ctx.ports['main']!;
  private readonly assign: boolean;
  private readonly timestampFn: WindowIntoPayload['timestampFn'];
  private readonly passThrough: boolean;
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
  }

  processParts(_input: number, value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): MaybePromise {
    this.ctx.metrics.elementsIn++;
    this.into(value, timestamp, window, pane, retraction);
    return this.settle();
  }

  /** A micro-batch stage: the whole chunk in one loop, settled once. */
  override processColumns(_input: number, c: ColumnChunk): MaybePromise {
    this.ctx.metrics.elementsIn += c.length;
    const { values, timestamps, windows, panes, retractions, length } = c;
    if (this.assign && !this.timestampFn) this.assignChunk(c);
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
        const assigned = windowFn.assignWindows(a);
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
    try {
      if (this.timestampFn) ts = this.timestampFn(value, ts);
      if (!this.assign) {
        out.emitParts(value, ts, window, pane, retraction);
        return;
      }
      const a = this.assignCtx;
      a.element = value;
      a.timestamp = ts;
      a.window = window;
      const windows = this.windowFn.assignWindows(a);
      for (let i = 0; i < windows.length; i++) out.emitParts(value, ts, windows[i]!, pane, retraction);
    } catch (e) {
      if (e instanceof WatershedError) throw e;
      throw new UserCodeError(this.step, `window assignment (${this.windowFn.name})`, e, value, window, ts);
    }
  }
}
