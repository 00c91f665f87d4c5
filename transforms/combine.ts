import type { CombineFn } from '../sdk/combine-fn.js';
import { kv, type KV } from '../sdk/kv.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { PTransform } from '../sdk/ptransform.js';
import { aggregatePrimitive } from './internal/aggregate-primitive.js';
import { MapElements } from './map.js';

/**
 * Incremental aggregation with a CombineFn: the runner keeps one accumulator per key and window and
 * never buffers the inputs.
 * - `Combine.perKey(fn)`: `KV<K, I>` → `KV<K, O>` per key, window and pane.
 * - `Combine.globally(fn)`: `I` → `O` per window; over the global window, an empty input still yields
 *   `fn.extractOutput(fn.createAccumulator())` unless `.withoutDefaults()`.
 * @example bytesPerHost.apply(Combine.perKey(sumFn())) // the same as Sum.perKey()
 */
export const Combine = {
  /** Combines the values of each key in each window with `fn`: `KV<K, I>` in, one `KV<K, O>` per key, window and pane out. */
  perKey<K, I, A, O>(fn: CombineFn<I, A, O>): PTransform<PCollection<KV<K, I>>, PCollection<KV<K, O>>> {
    return {
      name: 'Combine.perKey',
      expand: (input, ctx) =>
        aggregatePrimitive(input as PCollection<unknown>, ctx, { kind: 'combine', combineFn: fn, defaultWhenEmpty: false }) as PCollection<KV<K, O>>,
    };
  },
  /**
   * Combines all elements of each window with `fn`: one `O` per window and pane (`name` names the step's
   * transform). Over the global window an empty input still gives `fn`'s output of nothing (e.g. 0 for a
   * count), unless `.withoutDefaults()`; other windows only exist with input.
   */
  globally<I, A, O>(fn: CombineFn<I, A, O>, name = 'Combine.globally'): GloballyTransform<I, O> {
    return new GloballyTransform(fn as CombineFn<I, unknown, O>, true, name);
  },
};

export class GloballyTransform<I, O> implements PTransform<PCollection<I>, PCollection<O>> {
  constructor(
    private readonly fn: CombineFn<I, unknown, O>,
    private readonly defaults: boolean,
    readonly name: string,
  ) {}
  /** No output for windows (including the global one) that received no input. */
  withoutDefaults(): GloballyTransform<I, O> {
    return new GloballyTransform(this.fn, false, this.name);
  }
  expand(input: PCollection<I>): PCollection<O> {
    const keyed = input.apply('WithNullKey', MapElements((v: I) => kv(null, v)));
    const combined = keyed.apply('Combine', {
      name: 'Combine',
      expand: (inp: PCollection<KV<null, I>>, ctx) =>
        aggregatePrimitive(inp as PCollection<unknown>, ctx, { kind: 'combine', combineFn: this.fn, defaultWhenEmpty: this.defaults }) as PCollection<KV<null, O>>,
    });
    return combined.apply('Values', MapElements((e: KV<null, O>) => e.value));
  }
}
