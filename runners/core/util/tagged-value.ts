import type { CoGroupTagged } from '../../../sdk/graph.js';

/**
 * A value tagged with the name of its input by a tagging Flatten (CoGroupByKey's expansion, see
 * FlattenPayload.tags): own enumerable `tag` and `value`, as the `{ tag, value }` it stands for (JSON,
 * structuredClone and deep equality see a plain object). Being of this class tells an aggregation's
 * waiting elements (PendingElements) that they may keep the tag and the value apart and make the object
 * again when the element is added, so that no object per waiting element outlives the step before.
 * @example new TaggedValue('orders', 5) // { tag: 'orders', value: 5 }
 */
export class TaggedValue implements CoGroupTagged {
  constructor(
    readonly tag: string,
    readonly value: unknown,
  ) {}
}
