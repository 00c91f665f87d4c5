import type { DoFn, InferredOutput, OutputTags } from '../sdk/dofn.js';
import { isStateful } from '../sdk/dofn.js';
import { PipelineConstructionError } from '../sdk/errors.js';
import type { OutputSpec } from '../sdk/graph.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { ExpandContext, PTransform } from '../sdk/ptransform.js';
import type { PCollectionView } from '../sdk/side-input.js';

/** The outputs of a multi-output ParDo: `main` plus one PCollection per declared tag. */
export type ParDoOutputs<O, Tags extends OutputTags> = { readonly main: PCollection<O> } & { readonly [K in keyof Tags]: PCollection<Tags[K]> };

/** What a {@link ParDoTransform} was built with: its side inputs, and whether failed elements go to dead letters. */
export interface ParDoConfig {
  readonly sideInputs: readonly PCollectionView<unknown>[];
  readonly deadLetters: boolean;
}

/**
 * Applies a DoFn to every element. Options return new transforms (they never mutate):
 * - `.withSideInputs(...views)` makes views readable with `ctx.sideInput(view)`;
 * - `.withDeadLetters()` sends elements whose processing throws to `out.deadLetters()` instead of
 *   failing the run;
 * - `.withOutputs(...tags)` returns `{ main, ...tags }` for `ctx.outputTo(tag, v)` (`main`, `deadLetter`, `late` and
 *   `__proto__` are refused with a PipelineConstructionError when the pipeline is built).
 *
 * A stateful DoFn after merging windows (Sessions) merges each key's windows in its own step, and their
 * state and timers with them (the rules are on `StateSpec` in watershed/sdk).
 *
 * The output type is inferred from what `process` (and `onTimer`) return or yield (the rule is on
 * `DoFnOutput`: a generator's values are the outputs, any other value but `undefined` is one output);
 * a DoFn that emits with `ctx.output` names its types, `ParDo<I, O>(fn)`, or gets `PCollection<unknown>`.
 *
 * @throws PipelineConstructionError at construction when the DoFn is stateful and its input's merging
 * WindowFn has no `mergeWindows`, or a side input comes from another pipeline.
 * @example
 * const words = lines.apply('Words', ParDo({ *process(line) { yield* line.split(' '); } })); // PCollection<string>
 * const parsed = lines.apply('Parse', ParDo<string, Flow>({ process(l, ctx) { ctx.output(JSON.parse(l)); } }).withDeadLetters());
 */
export const ParDo: ParDoFactory = Object.assign(parDo, {
  /** @deprecated Use `ParDo(fn)`. This alias goes in the next release. */
  of: parDo,
});

/** {@link ParDo}: a call, plus its deprecated alias. */
export interface ParDoFactory {
  /** `C` (what `ctx.output` takes) is `O`, or `unknown` while `O` is inferred: see `DoFn`. */
  <I, O, Tags extends OutputTags = {}, C = O>(fn: DoFn<I, O, Tags, any, any, C>): ParDoTransform<I, InferredOutput<O>, Tags>;
  /** @deprecated Use `ParDo(fn)`. This alias goes in the next release. */
  of<I, O, Tags extends OutputTags = {}, C = O>(fn: DoFn<I, O, Tags, any, any, C>): ParDoTransform<I, InferredOutput<O>, Tags>;
}

function parDo<I, O, Tags extends OutputTags = {}, C = O>(fn: DoFn<I, O, Tags, any, any, C>): ParDoTransform<I, InferredOutput<O>, Tags> {
  return new ParDoTransform(fn as DoFn<I, InferredOutput<O>, Tags, any, any>, { sideInputs: [], deadLetters: false });
}

export class ParDoTransform<I, O, Tags extends OutputTags> implements PTransform<PCollection<I>, PCollection<O>> {
  readonly name = 'ParDo';
  constructor(
    readonly fn: DoFn<I, O, Tags, any, any>,
    private readonly config: ParDoConfig,
  ) {}

  withSideInputs(...views: PCollectionView<any>[]): ParDoTransform<I, O, Tags> {
    return new ParDoTransform(this.fn, { ...this.config, sideInputs: [...this.config.sideInputs, ...views] });
  }

  withDeadLetters(): ParDoTransform<I, O, Tags> {
    return new ParDoTransform(this.fn, { ...this.config, deadLetters: true });
  }

  withOutputs<K extends keyof Tags & string>(...tags: K[]): PTransform<PCollection<I>, ParDoOutputs<O, Pick<Tags, K>>> {
    return { name: 'ParDo', expand: (input, ctx) => this.expandTagged(input, ctx, tags) as ParDoOutputs<O, Pick<Tags, K>> };
  }

  expand(input: PCollection<I>, ctx: ExpandContext): PCollection<O> {
    return this.expandTagged(input, ctx, []).main as PCollection<O>;
  }

  private expandTagged(input: PCollection<I>, ctx: ExpandContext, tags: readonly string[]): Record<string, PCollection<unknown>> {
    const stateful = isStateful(this.fn);
    if (stateful && input.windowing.windowFn.isMerging && !input.windowing.alreadyMerged && !input.windowing.windowFn.mergeWindows) {
      throw new PipelineConstructionError(`step '${ctx.stepName}': ${input.windowing.windowFn.name} says it merges windows but has no mergeWindows(); a stateful DoFn needs it to merge its state`);
    }
    // Names the runner's state records cannot hold: '__proto__' as a field sets the record's prototype (a
    // value state wrote nothing, a timer never fired), and '__gc' is the timer that collects a window's state.
    for (const name of Object.keys(this.fn.state ?? {})) {
      if (name === '__proto__') throw new PipelineConstructionError(`step '${ctx.stepName}': '__proto__' cannot name a state cell; choose another name`);
    }
    for (const name of Object.keys(this.fn.timers ?? {})) {
      if (name === '__proto__' || name === '__gc') throw new PipelineConstructionError(`step '${ctx.stepName}': '${name}' cannot name a timer (reserved); choose another name`);
    }
    for (const t of tags) {
      if (t === 'main' || t === 'deadLetter' || t === 'late') throw new PipelineConstructionError(`step '${ctx.stepName}': '${t}' is a reserved output name; choose another tag`);
      // As a field of the outputs it would set their prototype instead: the output would be lost.
      if (t === '__proto__') throw new PipelineConstructionError(`step '${ctx.stepName}': '__proto__' cannot name an output; choose another tag`);
    }
    const spec: OutputSpec = { windowing: input.windowing, bounded: input.bounded };
    const outputs: Record<string, OutputSpec> = { main: spec };
    for (const t of tags) outputs[t] = spec;
    if (this.config.deadLetters) outputs['deadLetter'] = spec;
    return ctx.primitive(
      { kind: 'pardo', fn: this.fn, tags, sideInputs: this.config.sideInputs, deadLetters: this.config.deadLetters, stateful },
      [input as PCollection<unknown>],
      outputs,
      this.config.sideInputs,
    );
  }
}
