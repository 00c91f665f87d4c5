import { ElementWise } from './internal/element-wise.js';

/**
 * Keeps the elements for which `predicate` is true.
 * @example flows.apply('IPv4Only', Filter((raw: string) => !raw.includes('src_ip6')))
 */
export function Filter<T>(predicate: (element: T) => boolean): ElementWise<T, T> {
  return new ElementWise<T, T>('Filter', (e, ctx) => {
    if (predicate(e)) ctx.output(e);
  });
}
