import { ElementWise, isThenable } from './internal/element-wise.js';

/**
 * One output per element: `fn(element)`. `fn` may return a promise (awaited, order kept).
 * @example lines.apply('Length', Map((s: string) => s.length))
 */
export function Map<I, O>(fn: (element: I) => O | Promise<O>): ElementWise<I, O> {
  return new ElementWise<I, O>('Map', (e, ctx) => {
    const r = fn(e);
    if (isThenable(r)) return r.then((v) => ctx.output(v as O));
    ctx.output(r as O);
  });
}
