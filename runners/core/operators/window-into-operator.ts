import { UserCodeError, WatershedError } from '../../../sdk/errors.js';
import type { WindowIntoPayload } from '../../../sdk/graph.js';
import type { WindowFn } from '../../../sdk/windows/window-fn.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import { BaseOperator, type MaybePromise, type OperatorContext } from './operator.js';

/** Window.into: assigns each element (optionally re-timestamped) to its windows, one output per window. */
export class WindowIntoOperator extends BaseOperator {
  private readonly out = this.ctx.ports['main']!;
  constructor(
    ctx: OperatorContext,
    private readonly payload: WindowIntoPayload,
    private readonly windowFn: WindowFn<unknown>,
  ) {
    super(ctx);
  }

  processElement(_input: number, wv: WindowedValue<unknown>): MaybePromise {
    this.ctx.metrics.elementsIn++;
    if (!this.payload.assign && !this.payload.timestampFn) {
      this.out.emit(wv);
      return this.settle();
    }
    let ts = wv.timestamp;
    try {
      if (this.payload.timestampFn) ts = this.payload.timestampFn(wv.value, ts);
      if (!this.payload.assign) {
        this.out.emit({ value: wv.value, timestamp: ts, window: wv.window, pane: wv.pane, retraction: wv.retraction });
        return this.settle();
      }
      const windows = this.windowFn.assignWindows({ element: wv.value, timestamp: ts, window: wv.window });
      for (let i = 0; i < windows.length; i++) {
        this.out.emit({ value: wv.value, timestamp: ts, window: windows[i]!, pane: wv.pane, retraction: wv.retraction });
      }
    } catch (e) {
      if (e instanceof WatershedError) throw e;
      throw new UserCodeError(this.step, `window assignment (${this.windowFn.name})`, e, wv.value, wv.window, ts);
    }
    return this.settle();
  }
}
