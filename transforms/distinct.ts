import { kv } from '../sdk/kv.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { PolymorphicTransform, PTransform } from '../sdk/ptransform.js';
import { GroupByKey } from './group-by-key.js';
import { MapElements } from './map.js';
import { Keys } from './with-keys.js';

/**
 * The distinct elements per window (by their JSON-serialisable value), one per pane.
 * @example ips.apply(Distinct())  // the type of ips
 */
export const Distinct: DistinctFactory = Object.assign(distinct, {
  /** @deprecated Use `Distinct()`. This alias goes in the next release. */
  create: distinct,
});

/** {@link Distinct}: a call, plus its deprecated alias. */
export interface DistinctFactory {
  /** Elements typed by the input it is applied to. */
  (): DistinctTransform;
  /** Elements named. */
  <T>(): PTransform<PCollection<T>, PCollection<T>>;
  /** @deprecated Use `Distinct()`. This alias goes in the next release. */
  create<T>(): PTransform<PCollection<T>, PCollection<T>>;
}

/** What `Distinct()` returns: the elements of the input, of its type. */
export class DistinctTransform implements PolymorphicTransform {
  readonly name = 'Distinct';
  declare readonly input: unknown;
  declare readonly output: PCollection<this['input']>;
  expand<T>(input: PCollection<T>): PCollection<T> {
    return input
      .apply('KeyByElement', MapElements((e: T) => kv(e, null)))
      .apply('GroupByKey', GroupByKey())
      .apply('Keys', Keys<T, null[]>());
  }
}

function distinct(): DistinctTransform {
  return new DistinctTransform();
}
