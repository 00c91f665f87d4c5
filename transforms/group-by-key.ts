import { PipelineConstructionError } from '../sdk/errors.js';
import type { KV } from '../sdk/kv.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { ExpandContext, PTransform } from '../sdk/ptransform.js';
import { continuationStrategy } from '../sdk/windowing-strategy.js';

/**
 * Groups values by key and window: one output `KV(key, values[])` per pane, as the input's trigger
 * fires. Records too late for their window are dropped, counted, and on `out.lateData()`.
 * @throws PipelineConstructionError for an unbounded input in the global window with the default
 * trigger (it would never fire): window it or set a trigger.
 * @example const perIp = flows.apply(WithKeys((f: Flow) => f.src_ip4)).apply(GroupByKey.create<number, Flow>())
 */
export const GroupByKey = {
  create<K, V>(): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V[]>>> {
    return {
      name: 'GroupByKey',
      expand: (input, ctx) => aggregatePrimitive(input, ctx, { kind: 'gbk' }) as PCollection<KV<K, V[]>>,
    };
  },
};

/** @internal Shared by GroupByKey and Combine.perKey. */
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
