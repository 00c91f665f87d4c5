import { kv } from '../sdk/kv.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { PTransform } from '../sdk/ptransform.js';
import { GroupByKey } from './group-by-key.js';
import { MapElements } from './map.js';
import { Keys } from './with-keys.js';

/**
 * The distinct elements per window (by their JSON-serialisable value), one per pane.
 * @example ips.apply(Distinct<string>())
 */
export const Distinct: DistinctFactory = Object.assign(distinct, {
  /** @deprecated Use `Distinct()`. This alias goes in the next release. */
  create: distinct,
});

/** {@link Distinct}: a call, plus its deprecated alias. */
export interface DistinctFactory {
  <T>(): PTransform<PCollection<T>, PCollection<T>>;
  /** @deprecated Use `Distinct()`. This alias goes in the next release. */
  create<T>(): PTransform<PCollection<T>, PCollection<T>>;
}

function distinct<T>(): PTransform<PCollection<T>, PCollection<T>> {
  return {
    name: 'Distinct',
    expand: (input) =>
      input
        .apply('KeyByElement', MapElements((e: T) => kv(e, null)))
        .apply('GroupByKey', GroupByKey<T, null>())
        .apply('Keys', Keys<T, null[]>()),
  };
}
