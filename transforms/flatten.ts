import { PipelineConstructionError } from '../sdk/errors.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { Pipeline } from '../sdk/pipeline.js';
import type { ExpandContext, PTransform } from '../sdk/ptransform.js';
import type { WindowingStrategy } from '../sdk/windowing-strategy.js';

/**
 * Merges PCollections of the same type and windowing into one. `Flatten(a, b)` applies to the
 * pipeline; `a.apply(Flatten.with(b))` reads better in a chain.
 * @throws PipelineConstructionError when the inputs are windowed differently, or none are given.
 * @example pipeline.apply('AllFlows', Flatten(suricata, zeek))
 */
export const Flatten: FlattenFactory = Object.assign(flattenOf, {
  /** @deprecated Use `Flatten(...inputs)`. This alias goes in the next release. */
  of: flattenOf,
  with<T>(...others: PCollection<T>[]): PTransform<PCollection<T>, PCollection<T>> {
    return { name: 'Flatten', expand: (first: PCollection<T>, ctx: ExpandContext) => flatten([first, ...others], ctx) };
  },
});

/** {@link Flatten}: a call applied to the pipeline, `with` applied to the first input. */
export interface FlattenFactory {
  <T>(...inputs: PCollection<T>[]): PTransform<Pipeline, PCollection<T>>;
  /** The input it is applied to, then `others`: `a.apply(Flatten.with(b, c))`. */
  with<T>(...others: PCollection<T>[]): PTransform<PCollection<T>, PCollection<T>>;
  /** @deprecated Use `Flatten(...inputs)`. This alias goes in the next release. */
  of<T>(...inputs: PCollection<T>[]): PTransform<Pipeline, PCollection<T>>;
}

function flattenOf<T>(...inputs: PCollection<T>[]): PTransform<Pipeline, PCollection<T>> {
  return { name: 'Flatten', expand: (_p, ctx) => flatten(inputs, ctx) };
}

function flatten<T>(inputs: PCollection<T>[], ctx: ExpandContext): PCollection<T> {
  if (inputs.length === 0) throw new PipelineConstructionError(`step '${ctx.stepName}': Flatten needs at least one input`);
  const w = inputs[0]!.windowing;
  // The output has one windowing strategy, so the inputs must agree on all of it (not only the WindowFn).
  const aspects = (s: WindowingStrategy): string[] => [
    s.windowFn.name,
    `trigger ${s.trigger.name}`,
    `${s.accumulationMode} panes`,
    `allowed lateness ${s.allowedLateness}ms`,
    `timestamp combiner ${s.timestampCombiner}`,
    `on-time behavior ${s.onTimeBehavior}`,
  ];
  const first = aspects(w);
  for (const i of inputs) {
    const other = aspects(i.windowing);
    const k = other.findIndex((x, j) => x !== first[j]);
    if (k >= 0) {
      throw new PipelineConstructionError(
        `step '${ctx.stepName}': Flatten inputs must share windowing, but '${inputs[0]!.name}' uses ${first[k]} and '${i.name}' uses ${other[k]}; ` +
          `apply the same Window.into(...)/Window.configure() to every input`,
      );
    }
  }
  return ctx.primitive<{ main: T }>({ kind: 'flatten' }, inputs as PCollection<unknown>[], {
    main: { windowing: w, bounded: inputs.every((i) => i.bounded) },
  }).main;
}
