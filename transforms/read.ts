import type { Source } from '../sdk/io/source.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { Pipeline } from '../sdk/pipeline.js';
import type { PTransform } from '../sdk/ptransform.js';
import { defaultWindowingStrategy } from '../sdk/windowing-strategy.js';

/**
 * Reads a Source into a PCollection in the global window. The source's undecodable records are
 * on `pcoll.deadLetters()`.
 * @example const three = pipeline.apply('Three', Read(threeNumbers)); // threeNumbers: a Source<number> (watershed/sdk)
 */
export const Read: ReadFactory = Object.assign(read, {
  /** @deprecated Use `Read(source)`. This alias goes in the next release. */
  from: read,
});

/** {@link Read}: a call, plus its deprecated alias. */
export interface ReadFactory {
  <T>(source: Source<T>): PTransform<Pipeline, PCollection<T>>;
  /** @deprecated Use `Read(source)`. This alias goes in the next release. */
  from<T>(source: Source<T>): PTransform<Pipeline, PCollection<T>>;
}

function read<T>(source: Source<T>): PTransform<Pipeline, PCollection<T>> {
    return {
      name: `Read(${source.name})`,
      expand: (_p, ctx) => {
        const spec = { windowing: defaultWindowingStrategy(), bounded: source.bounded };
        return ctx.primitive<{ main: T; deadLetter: unknown }>({ kind: 'read', source: source as Source<unknown> }, [], { main: spec, deadLetter: spec }).main;
      },
    };
}
