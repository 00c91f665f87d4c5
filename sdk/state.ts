import type { CombineFn } from './combine-fn.js';
import type { Duration, Instant } from './time.js';

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
 * const fn = statefulDoFn({
 *   state: { seen: StateSpec.value<number>() },
 *   process(e: KV<string, number>, ctx) { ctx.state.seen.write((ctx.state.seen.read() ?? 0) + 1); },
 * });
 */
export interface ValueStateSpec<T> {
  readonly kind: 'value';
  readonly _t?: T;
}
export interface BagStateSpec<T> {
  readonly kind: 'bag';
  readonly _t?: T;
}
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
export interface CombiningStateSpec<I, A, O> {
  readonly kind: 'combining';
  readonly combineFn: CombineFn<I, A, O>;
}

export type AnyStateSpec = ValueStateSpec<any> | BagStateSpec<any> | SetStateSpec<any> | MapStateSpec<any, any> | CombiningStateSpec<any, any, any>;
export type StateSpecs = Record<string, AnyStateSpec>;

export const StateSpec = {
  value: <T>(): ValueStateSpec<T> => ({ kind: 'value' }),
  bag: <T>(): BagStateSpec<T> => ({ kind: 'bag' }),
  /** A set of distinct elements; elements are told apart as map-state keys are (see {@link SetState}). */
  set: <T>(): SetStateSpec<T> => ({ kind: 'set' }),
  map: <K, V>(): MapStateSpec<K, V> => ({ kind: 'map' }),
  combining: <I, A, O>(combineFn: CombineFn<I, A, O>): CombiningStateSpec<I, A, O> => ({ kind: 'combining', combineFn }),
};

export interface ValueState<T> {
  read(): T | undefined;
  write(value: T): void;
  clear(): void;
}
export interface BagState<T> {
  read(): readonly T[];
  add(value: T): void;
  isEmpty(): boolean;
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
export interface MapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  remove(key: K): void;
  entries(): readonly [K, V][];
  clear(): void;
}
export interface CombiningState<I, O> {
  add(input: I): void;
  read(): O;
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

export const TimerSpec = {
  eventTime: (): TimerSpec => ({ domain: 'event' }),
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
  clear(): void;
}

export type TimersOf<T extends TimerSpecs> = { readonly [K in keyof T]: Timer };
