import type { ProcessContext } from '../sdk/dofn.js';
import { ElementWise, isThenable } from './internal/element-wise.js';

/**
 * One output per element: `fn(element)`. `fn` may return a promise (awaited, order kept).
 * @example lines.apply('Length', Map((s: string) => s.length))
 */
export function Map<I, O>(fn: (element: I) => O | Promise<O>): ElementWise<I, O> {
  return new ElementWise<I, O>('Map', (e, ctx) => {
    const r = fn(e);
    if (isThenable(r)) return outputWhenResolved(r as Promise<O>, ctx);
    ctx.output(r as O);
  });
}

/** The async case, apart: a closure over `ctx` in the function above would cost an allocation per element. */
function outputWhenResolved<O>(r: Promise<O>, ctx: ProcessContext<O>): Promise<void> {
  return r.then((v) => ctx.output(v));
}
