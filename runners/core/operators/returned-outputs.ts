import { MixedOutputError } from '../../../sdk/errors.js';
import { isThenable } from '../util/is-thenable.js';
import type { MaybePromise } from './operator.js';

/** How many yielded values a generator gives between two looks at downstream's backpressure. */
const SETTLE_EVERY = 4096;

/**
 * Emits what a DoFn callback (`process`, `onTimer.<id>`) returned, by the rule of `DoFnOutput`
 * (sdk/dofn.ts): `undefined` is no output; a promise (any thenable) counts as what it resolves to; a
 * generator's (or async generator's) yielded values are the outputs; any other value is one output.
 * Each output goes through `emit`, the very function behind the callback's `ctx.output`, so it gets
 * the same timestamp, window and pane.
 *
 * A generator is pulled while downstream keeps up: every {@link SETTLE_EVERY} values it asks `settle`
 * (the operator's "everything emitted so far taken downstream") and, when that returns a promise,
 * pulls on once it resolves, so a generator of millions of outputs does not pile them up in memory.
 *
 * One callback call emits one way: the operator sets {@link ctxOutput} in `ctx.output` and
 * `ctx.outputWithTimestamp` and clears it before each call; a call that both did that and returned or
 * yielded a value throws MixedOutputError (the generator is closed first, running its `finally`).
 * Errors the callback throws while a generator runs are thrown (or rejected) as they are.
 * @example
 * outputs.ctxOutput = false;
 * const r = fn.process(value, ctx);
 * const pending = r === undefined ? undefined : outputs.emit(r, 'process', emitMain); // a promise when it goes on asynchronously
 */
export class ReturnedOutputs {
  /** `ctx.output` or `ctx.outputWithTimestamp` was called in the current callback call. */
  ctxOutput = false;

  constructor(private readonly settle: () => MaybePromise) {}

  /**
   * Emits `r` (not undefined: the caller checks that, so the usual DoFn costs nothing here).
   * @returns undefined when done; a promise when the rest continues asynchronously.
   * @throws MixedOutputError, or what the callback's generator throws (a promise rejects with them).
   */
  emit(r: unknown, callback: string, emit: (value: unknown) => void): Promise<void> | undefined {
    if (typeof r === 'object' && r !== null) {
      if (isThenable(r)) return (r as Promise<unknown>).then((v) => (v === undefined ? undefined : this.emit(v, callback, emit)));
      const tag = (r as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
      if (tag === 'Generator') return this.drain(r as Generator<unknown, unknown, undefined>, callback, emit, false);
      if (tag === 'AsyncGenerator') return this.drainAsync(r as AsyncGenerator<unknown, unknown, undefined>, callback, emit);
    }
    if (this.ctxOutput) throw new MixedOutputError(callback);
    emit(r);
    return undefined;
  }

  private drain(g: Generator<unknown, unknown, undefined>, callback: string, emit: (value: unknown) => void, yielded: boolean): Promise<void> | undefined {
    for (let n = 1; ; n++) {
      const step = g.next();
      if (step.done) {
        if (yielded && this.ctxOutput) throw new MixedOutputError(callback);
        return undefined;
      }
      if (this.ctxOutput) {
        g.return(undefined);
        throw new MixedOutputError(callback);
      }
      yielded = true;
      emit(step.value);
      if (n % SETTLE_EVERY === 0) {
        const s = this.settle();
        if (s) return s.then(() => this.drain(g, callback, emit, true));
      }
    }
  }

  private async drainAsync(g: AsyncGenerator<unknown, unknown, undefined>, callback: string, emit: (value: unknown) => void): Promise<void> {
    let yielded = false;
    for (let n = 1; ; n++) {
      const step = await g.next();
      if (step.done) {
        if (yielded && this.ctxOutput) throw new MixedOutputError(callback);
        return;
      }
      if (this.ctxOutput) {
        await g.return(undefined);
        throw new MixedOutputError(callback);
      }
      yielded = true;
      emit(step.value);
      if (n % SETTLE_EVERY === 0) {
        const s = this.settle();
        if (s) await s;
      }
    }
  }
}
