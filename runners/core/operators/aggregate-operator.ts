import type { CombinePerKeyPayload } from '../../../sdk/graph.js';
import { UserCodeError, WatershedError } from '../../../sdk/errors.js';
import { kv, type KV } from '../../../sdk/kv.js';
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MAX, type Instant } from '../../../sdk/time.js';
import { GLOBAL_WINDOW, type BoundedWindow } from '../../../sdk/window.js';
import type { PaneInfo } from '../../../sdk/pane.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import type { WindowingStrategy } from '../../../sdk/windowing-strategy.js';
import { readsProcessingTime } from '../../../sdk/internal/trigger-analysis.js';
import type { ColumnChunk } from '../columns.js';
import { bagReducer, combineReducer } from '../driver/pane-reducer.js';
import { SlicedWindowDriver } from '../driver/sliced-window-driver.js';
import type { Slicing } from '../driver/slicing.js';
import { WindowDriver, type AggregationDriver, type DriverTiming, type WindowDriverOptions } from '../driver/window-driver.js';
import { BaseOperator, type MaybePromise, type OperatorContext } from './operator.js';

/**
 * GroupByKey and Combine.perKey: hands each element to the shared WindowDriver, which decides
 * panes. Combine keeps an accumulator per key and window instead of the values; given `slicing`
 * (see slicingOf), one per key and slice of its sliding windows (SlicedWindowDriver).
 */
export class AggregateOperator extends BaseOperator {
  private readonly driver: AggregationDriver;
  private readonly out = this.ctx.ports['main']!;
  private readonly defaultWhenEmpty: CombinePerKeyPayload | undefined;
  private readonly early: boolean;

  constructor(ctx: OperatorContext, strategy: WindowingStrategy, combine: CombinePerKeyPayload | undefined, inputRetracts: boolean, slicing?: Slicing) {
    super(ctx);
    const reducer = combine ? combineReducer(combine.combineFn, inputRetracts && !combine.combineFn.retractInput) : bagReducer;
    const late = ctx.ports['late']!;
    this.defaultWhenEmpty = combine?.defaultWhenEmpty && strategy.windowFn.name === 'GlobalWindows' ? combine : undefined;
    // Deferred triggers fire only at flush; without processing time, taking an element reads no clock.
    this.early = ctx.fireMode === 'deferred' && !readsProcessingTime(strategy.trigger);
    const options: WindowDriverOptions = {
      step: ctx.step,
      strategy,
      reducer,
      state: ctx.state,
      clock: ctx.clock,
      metrics: ctx.metrics,
      emit: (value, timestamp, window, pane, retraction) => this.out.emitParts(value, timestamp, window, pane, retraction),
      emitLate: (wv) => late.emit(wv),
      fireMode: ctx.fireMode,
    };
    this.driver = slicing ? new SlicedWindowDriver(options, slicing) : new WindowDriver(options);
  }

  processParts(_input: number, value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): MaybePromise {
    this.ctx.metrics.elementsIn++;
    const v = value as KV<unknown, unknown> | null;
    if (v === null || typeof v !== 'object' || !('key' in v)) {
      throw new UserCodeError(this.step, 'grouping', new TypeError('GroupByKey and Combine.perKey need KV elements ({ key, value }); use WithKeys first'), value, window, timestamp);
    }
    try {
      this.driver.processParts(v, timestamp, window, pane, retraction);
    } catch (e) {
      if (e instanceof WatershedError) throw e;
      throw new UserCodeError(this.step, 'aggregation', e, value, window, timestamp);
    }
    return this.settle();
  }

  /** A micro-batch stage: the whole batch in one loop, settled once. */
  override processColumns(_input: number, c: ColumnChunk): MaybePromise {
    this.ctx.metrics.elementsIn += c.length;
    const { values, timestamps, windows, panes, retractions, length } = c;
    const driver = this.driver;
    let i = 0;
    try {
      for (; i < length; i++) {
        const v = values[i] as KV<unknown, unknown> | null;
        if (v === null || typeof v !== 'object' || !('key' in v)) {
          throw new UserCodeError(this.step, 'grouping', new TypeError('GroupByKey and Combine.perKey need KV elements ({ key, value }); use WithKeys first'), v, windows[i], timestamps[i]);
        }
        driver.processParts(v, timestamps[i]!, windows[i]!, panes[i]!, retractions !== undefined && retractions[i] === 1);
      }
    } catch (e) {
      if (e instanceof WatershedError) throw e;
      throw new UserCodeError(this.step, 'aggregation', e, values[i], windows[i], timestamps[i]);
    }
    return this.settle();
  }

  override takesInputEarly(): boolean {
    return this.early;
  }

  override advanceWatermark(wm: Instant): MaybePromise {
    this.inputWm = wm;
    this.guard(() => this.driver.advanceWatermark(wm));
    if (wm >= TIMESTAMP_MAX && this.defaultWhenEmpty && !this.driver.emittedAny) {
      const fn = this.defaultWhenEmpty.combineFn;
      this.guard(() =>
        this.out.emit({
          value: kv(null, fn.extractOutput(fn.createAccumulator())),
          timestamp: END_OF_GLOBAL_WINDOW,
          window: GLOBAL_WINDOW,
          pane: { index: 0, nonSpeculativeIndex: 0, timing: 'ON_TIME', isFirst: true, isLast: true },
        }),
      );
      this.driver.emittedAny = true;
    }
    return this.settle();
  }

  override advanceProcessingTime(now: Instant): MaybePromise {
    this.guard(() => this.driver.advanceProcessingTime(now));
    return this.settle();
  }

  override flush(): MaybePromise {
    this.guard(() => this.driver.flush());
    return this.settle();
  }

  override outputWatermark(): Instant {
    return this.driver.outputWatermark();
  }

  override nextProcessingTimer(): Instant | undefined {
    return this.driver.nextProcessingTimer();
  }

  /** The driver's watermarks and Combine.globally's "emitted anything" flag (its windows are keyed state). */
  override snapshotOperator(): { driver: DriverTiming } {
    return { driver: this.driver.timing() };
  }

  override restoreOperator(snapshot: unknown, inputWm: Instant | undefined): void {
    super.restoreOperator(snapshot, inputWm);
    this.driver.restoreTiming((snapshot as { driver?: DriverTiming } | undefined)?.driver);
  }

  /** Live (key, window) states, for tests that check state is released. */
  stateSize(): number {
    return this.driver.stateSize();
  }

  private guard(f: () => void, wv?: WindowedValue<unknown>): void {
    try {
      f();
    } catch (e) {
      if (e instanceof WatershedError) throw e;
      throw new UserCodeError(this.step, wv ? 'aggregation' : 'firing a pane', e, wv?.value, wv?.window, wv?.timestamp);
    }
  }
}
