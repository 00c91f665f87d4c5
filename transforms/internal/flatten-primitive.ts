import { PipelineConstructionError } from '../../sdk/errors.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { ExpandContext } from '../../sdk/ptransform.js';
import type { WindowingStrategy } from '../../sdk/windowing-strategy.js';

/**
 * Internal, shared by Flatten and CoGroupByKey: adds the flatten primitive over `inputs`. With `tags`
 * (one per input, CoGroupByKey's), input `i`'s elements leave tagged with `tags[i]` (see
 * FlattenPayload.tags). Not part of the public API (no barrel re-exports this folder).
 * @throws PipelineConstructionError when the inputs are windowed differently, or none are given.
 * @example flattenPrimitive([orders, payments], ctx, ['orders', 'payments'])
 */
export function flattenPrimitive(inputs: readonly PCollection<unknown>[], ctx: ExpandContext, tags?: readonly string[]): PCollection<unknown> {
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
  return ctx.primitive<{ main: unknown }>(tags === undefined ? { kind: 'flatten' } : { kind: 'flatten', tags: [...tags] }, [...inputs], {
    main: { windowing: w, bounded: inputs.every((i) => i.bounded) },
  }).main;
}
