import type { ProcessContext } from '../sdk/dofn.js';
import { ElementWise, isThenable } from './internal/element-wise.js';

/**
 * Zero or more outputs per element: everything `fn(element)` yields. `fn` may be async.
 * @example lines.apply('Words', FlatMap((s: string) => s.split(/\s+/)))
 */
export function FlatMap<I, O>(fn: (element: I) => Iterable<O> | Promise<Iterable<O>>): ElementWise<I, O> {
  return new ElementWise<I, O>('FlatMap', (e, ctx) => {
    const r = fn(e);
    if (isThenable(r)) return outputAllWhenResolved(r as Promise<Iterable<O>>, ctx);
    for (const x of r as Iterable<O>) ctx.output(x);
  });
}

/** The async case, apart: a closure over `ctx` in the function above would cost an allocation per element. */
function outputAllWhenResolved<O>(r: Promise<Iterable<O>>, ctx: ProcessContext<O>): Promise<void> {
  return r.then((xs) => {
    for (const x of xs) ctx.output(x);
  });
}
