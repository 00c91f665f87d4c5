import { kv } from '../sdk/kv.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { PTransform } from '../sdk/ptransform.js';
import { GroupByKey } from './group-by-key.js';
import { Map } from './map.js';
import { Keys } from './with-keys.js';

/**
 * The distinct elements per window (by their JSON-serialisable value), one per pane.
 * @example ips.apply(Distinct.create())
 */
export const Distinct = {
  create<T>(): PTransform<PCollection<T>, PCollection<T>> {
    return {
      name: 'Distinct',
      expand: (input) =>
        input
          .apply('KeyByElement', Map((e: T) => kv(e, null)))
          .apply('GroupByKey', GroupByKey.create<T, null>())
          .apply('Keys', Keys<T, null[]>()),
    };
  },
};
