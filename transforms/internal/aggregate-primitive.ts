import { PipelineConstructionError } from '../../sdk/errors.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { ExpandContext } from '../../sdk/ptransform.js';
import { continuationStrategy } from '../../sdk/windowing-strategy.js';

/**
 * Internal, shared by GroupByKey and Combine.perKey: adds the aggregation primitive `payload` over
 * `input` (main output with the continuation windowing, late output with the input's). Not part of
 * the public API (no barrel re-exports this folder).
 * @throws PipelineConstructionError for an unbounded input in the global window with the default
 * trigger, which would never emit.
 * @example expand: (input, ctx) => aggregatePrimitive(input, ctx, { kind: 'gbk' })
 */
export function aggregatePrimitive(input: PCollection<unknown>, ctx: ExpandContext, payload: Parameters<ExpandContext['primitive']>[0]): PCollection<unknown> {
  const s = input.windowing;
  if (!input.bounded && s.windowFn.name === 'GlobalWindows' && s.triggerIsDefault) {
    throw new PipelineConstructionError(
      `step '${ctx.stepName}' aggregates an unbounded input in the global window with the default trigger, so it would never emit. ` +
        `Apply Window.into(FixedWindows(...)) or set a trigger with Window.configure().triggering(...) first.`,
    );
  }
  const out = continuationStrategy(s);
  return ctx.primitive<{ main: unknown; late: unknown }>(payload, [input], {
    main: { windowing: out, bounded: input.bounded },
    late: { windowing: s, bounded: input.bounded },
  }).main;
}
