import { statefulDoFn } from '../../sdk/dofn.js';
import type { KV } from '../../sdk/kv.js';
import { StateSpec } from '../../sdk/state.js';

/**
 * A stateful DoFn keeping a running count per key (and window) in a value state cell `n`: each element
 * adds one to its key's count, then `show(element, count)` is output (with `ctx.output`, at the
 * element's timestamp and window). The count starts at 1 for a key's first element in a window; it is
 * checkpointed and restored like any value state.
 * @example
 * keyed.apply('Running', ParDo(runningCount((e: KV<string, number>, n) => `${e.key}#${n}`))) // a, a, b → 'a#1', 'a#2', 'b#1'
 */
export function runningCount<I extends KV<unknown, unknown>, O>(show: (element: I, n: number) => O) {
  return statefulDoFn<I, O>()({
    state: { n: StateSpec.value<number>() },
    process(e, ctx) {
      const n = (ctx.state.n.read() ?? 0) + 1;
      ctx.state.n.write(n);
      ctx.output(show(e, n));
    },
  });
}
