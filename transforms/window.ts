import { PipelineConstructionError } from '../sdk/errors.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { ExpandContext, PolymorphicTransform, PTransform } from '../sdk/ptransform.js';
import type { Duration, Instant } from '../sdk/time.js';
import type { Trigger } from '../sdk/triggers/trigger.js';
import type { WindowFn } from '../sdk/windows/window-fn.js';
import type { AccumulationMode, OnTimeBehavior, TimestampCombiner, WindowingStrategy } from '../sdk/windowing-strategy.js';

/**
 * Sets where (windows) and when (trigger, lateness) and how (accumulation) downstream aggregations
 * work. `Window.into(fn)` re-assigns windows; `Window.configure()` keeps the windows and changes only
 * the rest. Every option returns a new transform.
 *
 * Without a type argument, `Window.into(fn)` and `Window.configure()` take the element type of the
 * collection they are applied to; `Window.into<Event>(fn)` names it.
 *
 * @example
 * events.apply(Window.into(FixedWindows(minutes(1)))
 *   .triggering(AfterWatermark().withLateFirings(AfterCount(1)))
 *   .withAllowedLateness(minutes(5))
 *   .accumulatingFiredPanes())
 */
export const Window = {
  /** Assigns each element to the windows `windowFn` gives (FixedWindows, SlidingWindows, Sessions, ...), keeping the trigger, lateness and accumulation unless set here. */
  into<T = unknown>(windowFn: WindowFn<any>): WindowTransform<T> {
    return new WindowTransform<T>({ windowFn });
  },
  /** Keeps the windows and changes only what is set on it: trigger, allowed lateness, accumulation, ... */
  configure<T = unknown>(): WindowTransform<T> {
    return new WindowTransform<T>({});
  },
};

/** What a {@link WindowTransform} changes of its input's windowing strategy (unset: kept). */
export interface WindowChanges {
  readonly windowFn?: WindowFn<unknown>;
  readonly trigger?: Trigger;
  readonly accumulationMode?: AccumulationMode;
  readonly allowedLateness?: Duration;
  readonly timestampCombiner?: TimestampCombiner;
  readonly onTimeBehavior?: OnTimeBehavior;
}

/**
 * What `Window.into` and `Window.configure` return. `WindowTransform<unknown>` (no type argument) takes
 * the element type of its input; `WindowTransform<T>` takes a `PCollection` of `T` (or of a subtype).
 */
export class WindowTransform<T = unknown> implements PTransform<PCollection<T>, PCollection<T>>, PolymorphicTransform {
  readonly name: string;
  declare readonly input: unknown;
  declare readonly output: unknown extends T ? PCollection<this['input']> : [this['input']] extends [T] ? PCollection<T> : never;
  constructor(private readonly changes: WindowChanges) {
    this.name = changes.windowFn ? `Window.into(${changes.windowFn.name})` : 'Window.configure';
  }
  private with(c: WindowChanges): WindowTransform<T> {
    return new WindowTransform<T>({ ...this.changes, ...c });
  }
  triggering(trigger: Trigger): WindowTransform<T> {
    return this.with({ trigger });
  }
  /** @throws RangeError for negative lateness. */
  withAllowedLateness(lateness: Duration): WindowTransform<T> {
    if (!(lateness >= 0)) throw new RangeError(`allowed lateness must be >= 0 ms, got ${lateness}`);
    return this.with({ allowedLateness: lateness });
  }
  discardingFiredPanes(): WindowTransform<T> {
    return this.with({ accumulationMode: 'discarding' });
  }
  accumulatingFiredPanes(): WindowTransform<T> {
    return this.with({ accumulationMode: 'accumulating' });
  }
  /** Accumulating, plus a retraction record withdrawing the previous pane before each new one. */
  accumulatingAndRetractingFiredPanes(): WindowTransform<T> {
    return this.with({ accumulationMode: 'retracting' });
  }
  withTimestampCombiner(combiner: TimestampCombiner): WindowTransform<T> {
    return this.with({ timestampCombiner: combiner });
  }
  withOnTimeBehavior(behavior: OnTimeBehavior): WindowTransform<T> {
    return this.with({ onTimeBehavior: behavior });
  }

  expand(input: PCollection<T>, ctx: ExpandContext): PCollection<T> {
    const c = this.changes;
    const prev = input.windowing;
    if (c.windowFn && prev.windowFn.isMerging && !input.producer.payload) {
      throw new PipelineConstructionError(`step '${ctx.stepName}': cannot re-window merged windows`);
    }
    if (c.windowFn?.timeDomain === 'PROCESSING_TIME') {
      if (c.windowFn.isMerging) throw new PipelineConstructionError(`step '${ctx.stepName}': ${c.windowFn.name} is a merging WindowFn; processing-time windows cannot merge`);
      if (prev.accumulationMode === 'retracting') {
        throw new PipelineConstructionError(
          `step '${ctx.stepName}': ${c.windowFn.name} cannot take the output of an accumulating-and-retracting aggregation (a retraction re-stamped with a later processing time would miss the pane it withdraws); re-window with event-time windows, or accumulate without retracting`,
        );
      }
    }
    const strategy: WindowingStrategy = {
      windowFn: c.windowFn ?? prev.windowFn,
      trigger: c.trigger ?? prev.trigger,
      triggerIsDefault: c.trigger ? false : prev.triggerIsDefault,
      accumulationMode: c.accumulationMode ?? prev.accumulationMode,
      allowedLateness: c.allowedLateness ?? prev.allowedLateness,
      timestampCombiner: c.timestampCombiner ?? prev.timestampCombiner,
      onTimeBehavior: c.onTimeBehavior ?? prev.onTimeBehavior,
      ...(!c.windowFn && prev.alreadyMerged ? { alreadyMerged: true } : {}),
    };
    return ctx.primitive<{ main: T }>({ kind: 'window', assign: c.windowFn !== undefined }, [input as PCollection<unknown>], {
      main: { windowing: strategy, bounded: input.bounded },
    }).main;
  }
}

/**
 * Re-timestamps each element from its content (event time from the record).
 * At run time, `fn` throwing or returning what is not a valid instant (NaN, ±Infinity, outside
 * TIMESTAMP_MIN..TIMESTAMP_MAX) fails the run with a UserCodeError naming the step and the element.
 * @example flows.apply(WithTimestamps((f: Flow) => f.eventtime * 1000))
 */
export const WithTimestamps: WithTimestampsFactory = Object.assign(withTimestamps, {
  /** @deprecated Use `WithTimestamps(fn)`. This alias goes in the next release. */
  of: withTimestamps,
});

/** {@link WithTimestamps}: a call, plus its deprecated alias. */
export interface WithTimestampsFactory {
  <T>(fn: (element: T, current: Instant) => Instant): PTransform<PCollection<T>, PCollection<T>>;
  /** @deprecated Use `WithTimestamps(fn)`. This alias goes in the next release. */
  of<T>(fn: (element: T, current: Instant) => Instant): PTransform<PCollection<T>, PCollection<T>>;
}

function withTimestamps<T>(fn: (element: T, current: Instant) => Instant): PTransform<PCollection<T>, PCollection<T>> {
    return {
      name: 'WithTimestamps',
      expand: (input, ctx) =>
        ctx.primitive<{ main: T }>({ kind: 'window', assign: false, timestampFn: fn as (e: unknown, c: Instant) => Instant }, [input as PCollection<unknown>], {
          main: { windowing: input.windowing, bounded: input.bounded },
        }).main,
    };
}
