import type { DoFn } from '../sdk/dofn.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { PTransform } from '../sdk/ptransform.js';
import { ParDo } from './par-do.js';

/**
 * Splits a PCollection into `n` by `fn(element, n)`, which must return an index in [0, n).
 * @throws RangeError at construction when n < 1; a bad index fails the run naming the element.
 * @example const [small, large] = flows.apply(Partition(2, (f: Flow) => (f.in_bytes > 1e6 ? 1 : 0)))
 */
export const Partition: PartitionFactory = Object.assign(partition, {
  /** @deprecated Use `Partition(n, fn)`. This alias goes in the next release. */
  of: partition,
});

/** {@link Partition}: a call, plus its deprecated alias. */
export interface PartitionFactory {
  <T>(n: number, fn: (element: T, n: number) => number): PTransform<PCollection<T>, PCollection<T>[]>;
  /** @deprecated Use `Partition(n, fn)`. This alias goes in the next release. */
  of<T>(n: number, fn: (element: T, n: number) => number): PTransform<PCollection<T>, PCollection<T>[]>;
}

function partition<T>(n: number, fn: (element: T, n: number) => number): PTransform<PCollection<T>, PCollection<T>[]> {
    if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`Partition needs n >= 1, got ${n}`);
    const tags = Array.from({ length: n }, (_, i) => `p${i}`);
    const dofn: DoFn<T, T, Record<string, T>> = {
      process(e, ctx) {
        const i = fn(e, n);
        if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new RangeError(`partition function returned ${i}, expected a whole number in [0, ${n})`);
        if (i === 0) ctx.output(e);
        else ctx.outputTo(tags[i]!, e);
      },
    };
    return {
      name: 'Partition',
      expand: (input, ctx) => {
        const outs = ParDo(dofn)
          .withOutputs(...tags.slice(1))
          .expand(input, ctx) as unknown as Record<string, PCollection<T>>;
        return [outs['main']!, ...tags.slice(1).map((t) => outs[t]!)];
      },
    };
}
