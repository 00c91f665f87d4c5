import type { CombineFn } from './combine-fn.js';
import type { Duration, Instant } from './time.js';

/** Declares a {@link ValueState}: `StateSpec.value<T>()`. */
export interface ValueStateSpec<T> {
  readonly kind: 'value';
  readonly _t?: T;
}
/** Declares a {@link BagState}: `StateSpec.bag<T>()`. */
export interface BagStateSpec<T> {
  readonly kind: 'bag';
  readonly _t?: T;
}
/** Declares a {@link MapState}: `StateSpec.map<K, V>()`. */
export interface MapStateSpec<K, V> {
  readonly kind: 'map';
  readonly _k?: K;
  readonly _v?: V;
}
/** Declares a {@link SetState}: `StateSpec.set<T>()`. */
export interface SetStateSpec<T> {
  readonly kind: 'set';
  readonly _t?: T;
}
/** Declares a {@link CombiningState}: `StateSpec.combining(combineFn)`. */
export interface CombiningStateSpec<I, A, O> {
  readonly kind: 'combining';
  readonly combineFn: CombineFn<I, A, O>;
}

export type AnyStateSpec = ValueStateSpec<any> | BagStateSpec<any> | SetStateSpec<any> | MapStateSpec<any, any> | CombiningStateSpec<any, any, any>;
export type StateSpecs = Record<string, AnyStateSpec>;

/**
 * Declarations of per-key-and-window state for stateful DoFns. The runner scopes each cell to the
 * element's key and window, snapshots it with the rest of the pipeline state, and clears it when the
 * window expires (end of window plus allowed lateness). Values must be structured-cloneable.
 *
 * After merging windows (Sessions), the runner merges a key's windows in the stateful step itself, and
 * their state with them: bag = the bags one after another (earliest-starting window first), combining =
 * `mergeAccumulators`, set = union, map = union where an entry of the latest-ending window wins a
 * conflicting map key, value = the value of the latest-ending window that has one. Timers of the merged
 * windows move to the merged window, each at the latest time it was set to in any of them.
 *
 * @example
 * const fn = statefulDoFn<KV<string, number>, string>()({
 *   state: { seen: StateSpec.value<number>(), total: StateSpec.combining(sumFn()) },
 *   process(e, ctx) {
 *     ctx.state.seen.write((ctx.state.seen.read() ?? 0) + 1);
 *     ctx.state.total.add(e.value);
 *   },
 * });
 */
export const StateSpec = {
  /** One value per key and window ({@link ValueState}): `read` gives undefined until it is written. */
  value: <T>(): ValueStateSpec<T> => ({ kind: 'value' }),
  /** A list of values per key and window ({@link BagState}), read back in the order they were added. */
  bag: <T>(): BagStateSpec<T> => ({ kind: 'bag' }),
  /** A set of distinct elements; elements are told apart as map-state keys are (see {@link SetState}). */
  set: <T>(): SetStateSpec<T> => ({ kind: 'set' }),
  /** A map per key and window ({@link MapState}); its keys are told apart as GroupByKey's are. */
  map: <K, V>(): MapStateSpec<K, V> => ({ kind: 'map' }),
  /** A running aggregate per key and window ({@link CombiningState}), kept as `combineFn`'s accumulator. */
  combining: <I, A, O>(combineFn: CombineFn<I, A, O>): CombiningStateSpec<I, A, O> => ({ kind: 'combining', combineFn }),
};

/**
 * One value for the current key and window (`StateSpec.value<T>()`).
 * @example ctx.state.last.write(Math.max(ctx.state.last.read() ?? 0, e.value.at));
 */
export interface ValueState<T> {
  /** The value last written; undefined when none was, or after `clear`. */
  read(): T | undefined;
  /** Replaces the value. */
  write(value: T): void;
  /** Forgets the value. */
  clear(): void;
}
/**
 * A list of values for the current key and window (`StateSpec.bag<T>()`): cheap to add to, read whole.
 * @example ctx.state.buffer.add(e.value); // ... later, in onTimer: for (const v of ctx.state.buffer.read()) ctx.output(v);
 */
export interface BagState<T> {
  /** Every value added, in the order added (empty when none). */
  read(): readonly T[];
  /** Appends `value`. */
  add(value: T): void;
  /** True when no value was added since the last `clear`. */
  isEmpty(): boolean;
  /** Removes every value. */
  clear(): void;
}
/**
 * A set of distinct elements. Two elements are the same when their keys are (as for map state and
 * GroupByKey): strings, numbers, booleans and null by value (`1` and `'1'` differ), arrays and plain
 * objects by their JSON (fields in the same order).
 * @throws TypeError from `add`, `contains` and `remove` for an element JSON cannot encode (undefined, bigint, a function).
 * @example
 * if (!ctx.state.seen.contains(e.value)) { ctx.state.seen.add(e.value); ctx.output(e); } // first sighting only
 */
export interface SetState<T> {
  /** Adds `value`; nothing when an equal element is in the set already (the first one stays). */
  add(value: T): void;
  /** True when an equal element is in the set. */
  contains(value: T): boolean;
  /** Removes the equal element, if any. */
  remove(value: T): void;
  /** The elements in the order they were first added. */
  read(): readonly T[];
  /** True when the set holds no element. */
  isEmpty(): boolean;
  /** Removes every element. */
  clear(): void;
}
/**
 * A map for the current key and window (`StateSpec.map<K, V>()`). Keys are equal as GroupByKey keys are:
 * strings, numbers, booleans and null by value, arrays and plain objects by their JSON.
 * @example ctx.state.perPage.put(e.value.page, (ctx.state.perPage.get(e.value.page) ?? 0) + 1);
 */
export interface MapState<K, V> {
  /** The value put under `key`, or undefined. */
  get(key: K): V | undefined;
  /** Puts `value` under `key`, replacing what was there. */
  put(key: K, value: V): void;
  /** Removes `key` and its value, if present. */
  remove(key: K): void;
  /** Every `[key, value]`, in the order the keys were first put. */
  entries(): readonly [K, V][];
  /** Removes every entry. */
  clear(): void;
}
/**
 * A running aggregate for the current key and window (`StateSpec.combining(combineFn)`): `add` folds an
 * input into the CombineFn's accumulator, `read` extracts the output.
 * @example ctx.state.total.add(e.value); if (ctx.state.total.read() > 100) ctx.output(e.key);
 */
export interface CombiningState<I, O> {
  /** Adds an input to the aggregate. */
  add(input: I): void;
  /** The aggregate of the inputs added so far (that of no input, e.g. 0 for a sum, when none was). */
  read(): O;
  /** Starts the aggregate again from nothing. */
  clear(): void;
}

/** The state cells a DoFn sees for the current key and window, typed from its declarations. */
export type StateOf<S extends StateSpecs> = {
  readonly [K in keyof S]: S[K] extends ValueStateSpec<infer T>
    ? ValueState<T>
    : S[K] extends BagStateSpec<infer T>
      ? BagState<T>
      : S[K] extends SetStateSpec<infer T>
        ? SetState<T>
        : S[K] extends MapStateSpec<infer MK, infer MV>
          ? MapState<MK, MV>
          : S[K] extends CombiningStateSpec<infer I, any, infer O>
            ? CombiningState<I, O>
            : never;
};

/** A timer declaration: fires when the watermark (event) or the clock (processing) passes its time. */
export interface TimerSpec {
  readonly domain: 'event' | 'processing';
}
export type TimerSpecs = Record<string, TimerSpec>;

/**
 * Declarations of timers for stateful DoFns (`timers: { flush: TimerSpec.eventTime() }`): one timer per
 * name, key and window, set from `process` (`ctx.timers.flush.set(t)` or `.offset(d)`) and handled by
 * the DoFn's `onTimer.flush(ctx)`, which sees the same key, window and state.
 * @example
 * const fn = statefulDoFn<KV<string, number>, string>()({
 *   state: { count: StateSpec.value<number>() },
 *   timers: { endOfWindow: TimerSpec.eventTime() },
 *   process(e, ctx) {
 *     ctx.state.count.write((ctx.state.count.read() ?? 0) + 1);
 *     ctx.timers.endOfWindow.set(ctx.window.maxTimestamp);
 *   },
 *   onTimer: { endOfWindow(ctx) { ctx.output(`${String(ctx.key)}: ${ctx.state.count.read()}`); } },
 * });
 */
export const TimerSpec = {
  /**
   * A timer in event time: it fires once the watermark passes its time (also when the input ends), or
   * when its window's state is collected (the watermark passed the window's end plus allowed lateness)
   * if that comes first, with the state.
   */
  eventTime: (): TimerSpec => ({ domain: 'event' }),
  /** A timer in processing time: it fires once the runner's clock reaches its time. */
  processingTime: (): TimerSpec => ({ domain: 'processing' }),
};

/** A timer for the current key and window. Setting it again moves it; one time per timer. */
export interface Timer {
  /**
   * Sets the timer to an absolute time in its domain.
   * @throws RangeError when `t` is NaN, ±Infinity or outside TIMESTAMP_MIN..TIMESTAMP_MAX (such a timer could never fire).
   */
  set(t: Instant): void;
  /** Sets the timer `d` ms after the current time of its domain (element timestamp or processing time). */
  offset(d: Duration): void;
  /** Unsets the timer: it does not fire (until it is set again). */
  clear(): void;
}

export type TimersOf<T extends TimerSpecs> = { readonly [K in keyof T]: Timer };
