import type { DoFn, ProcessContext } from '../../sdk/dofn.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { ExpandContext, PTransform } from '../../sdk/ptransform.js';
import { ParDo, type ParDoTransform } from '../par-do.js';

/**
 * The one helper behind Map, FlatMap, Filter, WithKeys, …: turns a per-element callback into a
 * ParDo, so every element-wise transform gets the same error naming, dead-letter option and
 * async support. `.withDeadLetters()` routes elements whose callback throws to `out.deadLetters()`.
 */
export class ElementWise<I, O> implements PTransform<PCollection<I>, PCollection<O>> {
  constructor(
    readonly name: string,
    private readonly process: (element: I, ctx: ProcessContext<O>) => void | Promise<void>,
    private readonly deadLetters = false,
  ) {}

  withDeadLetters(): ElementWise<I, O> {
    return new ElementWise(this.name, this.process, true);
  }

  expand(input: PCollection<I>, ctx: ExpandContext): PCollection<O> {
    const fn: DoFn<I, O> = { process: this.process };
    // O is a type parameter here, so ParDo cannot resolve InferredOutput<O>: it is O (process returns nothing).
    let t = ParDo(fn) as ParDoTransform<I, O, {}>;
    if (this.deadLetters) t = t.withDeadLetters();
    return t.expand(input, ctx);
  }
}

export const isThenable = (x: unknown): x is Promise<unknown> => x !== null && typeof x === 'object' && typeof (x as Promise<unknown>).then === 'function';
