import { numericPosition } from '../sdk/io/numeric-position.js';
import type { SourceBatch } from '../sdk/io/source.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { Pipeline } from '../sdk/pipeline.js';
import type { PTransform } from '../sdk/ptransform.js';
import { TIMESTAMP_MIN } from '../sdk/time.js';
import type { TimestampedValue } from '../sdk/windowed-value.js';
import { Read } from './read.js';

/**
 * A bounded PCollection from in-memory values. `Create(values)` gives every element the minimum
 * timestamp; `Create.timestamped(values)` takes explicit event times. The watermark jumps to +infinity once
 * everything is read. Its reader's position is `{ pos }`, the number of elements read.
 * @example pipeline.apply('Words', Create(['a', 'b', 'a']))
 */
export const Create: CreateFactory = Object.assign(create, {
  /** @deprecated Use `Create(values)`. This alias goes in the next release. */
  of: create,
  timestamped,
});

/** {@link Create}: a call for values without event times, `timestamped` for values with them. */
export interface CreateFactory {
  <T>(values: Iterable<T>): PTransform<Pipeline, PCollection<T>>;
  /** Every value with its event time: `Create.timestamped([{ value: 'a', timestamp: 0 }])`. */
  timestamped<T>(values: Iterable<TimestampedValue<T>>): PTransform<Pipeline, PCollection<T>>;
  /** @deprecated Use `Create(values)`. This alias goes in the next release. */
  of<T>(values: Iterable<T>): PTransform<Pipeline, PCollection<T>>;
}

function create<T>(values: Iterable<T>): PTransform<Pipeline, PCollection<T>> {
  return timestamped([...values].map((value) => ({ value, timestamp: TIMESTAMP_MIN })));
}

function timestamped<T>(values: Iterable<TimestampedValue<T>>): PTransform<Pipeline, PCollection<T>> {
    const items = [...values];
    const read = Read<T>({
      name: 'Create',
      bounded: true,
      async open(ctx) {
        let pos = ctx.resumeFrom === undefined ? 0 : numericPosition('Create', ctx.resumeFrom, { pos: 'count' }).pos;
        let limit = Number.POSITIVE_INFINITY;
        return {
          async poll(max): Promise<SourceBatch<T>> {
            const elements = items.slice(pos, Math.max(pos, Math.min(pos + max, limit)));
            pos += elements.length;
            const done = pos >= items.length;
            return { elements, watermark: TIMESTAMP_MIN, done };
          },
          position: () => ({ pos }),
          progress: () => ({ done: pos, total: items.length }),
          stopAt(p) {
            limit = p === undefined ? Number.POSITIVE_INFINITY : numericPosition('Create', p, { pos: 'count' }).pos;
          },
          async close() {},
        };
      },
    });
    return { name: 'Create', expand: (p, ctx) => read.expand(p, ctx) };
}
