import type { ProcessContext } from '../sdk/dofn.js';
import { ElementWise, isThenable } from './internal/element-wise.js';

/**
 * One output per element: `fn(element)`. `fn` may return a promise (awaited, order kept).
 * Named `MapElements` (as in Beam) so that importing it does not shadow the global `Map`.
 * @example lines.apply('Length', MapElements((s: string) => s.length))
 */
export function MapElements<I, O>(fn: (element: I) => O | Promise<O>): ElementWise<I, O> {
  return new ElementWise<I, O>('Map', (e, ctx) => {
    const r = fn(e);
    if (isThenable(r)) return outputWhenResolved(r as Promise<O>, ctx);
    ctx.output(r as O);
  });
}

/**
 * @deprecated Use {@link MapElements}: this name shadows the global `Map` where it is imported.
 * This alias goes in the next release.
 */
export const Map: typeof MapElements = MapElements;

/** The async case, apart: a closure over `ctx` in the function above would cost an allocation per element. */
function outputWhenResolved<O>(r: Promise<O>, ctx: ProcessContext<O>): Promise<void> {
  return r.then((v) => ctx.output(v));
}
