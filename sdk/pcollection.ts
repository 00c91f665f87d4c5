import type { DeadLetter } from './dead-letter.js';
import { PipelineConstructionError } from './errors.js';
import type { LateRecord, TransformNode } from './graph.js';
import type { Pipeline } from './pipeline.js';
import type { ApplicableTo, NotPolymorphic, OutputFor, PolymorphicTransform, PTransform } from './ptransform.js';
import type { WindowingStrategy } from './windowing-strategy.js';

/**
 * An immutable, possibly unbounded collection of elements of type T, each with a timestamp, window
 * and pane. Produced by applying transforms; consumed by applying more.
 *
 * @example
 * const words = lines.apply('Split', FlatMap((l: string) => l.split(/\s+/)));
 */
export class PCollection<T> {
  /** @internal */ readonly _t?: T;
  constructor(
    readonly pipeline: Pipeline,
    readonly id: number,
    /** `<step>.<tag>`, unique in the pipeline. */
    readonly name: string,
    readonly producer: TransformNode,
    readonly tag: string,
    readonly windowing: WindowingStrategy,
    readonly bounded: boolean,
  ) {}

  /** Applies a transform under its default name. @throws DuplicateStepNameError when the name is taken. */
  apply<O>(transform: PTransform<PCollection<T>, O> & NotPolymorphic): O;
  /** Applies a transform under the given step name. @throws DuplicateStepNameError when the name is taken. */
  apply<O>(name: string, transform: PTransform<PCollection<T>, O> & NotPolymorphic): O;
  /**
   * Applies a transform whose output type follows from `T` (`GroupByKey()`, `Window.into(fn)`, ...)
   * under its default name. @throws DuplicateStepNameError when the name is taken.
   */
  apply<P extends PolymorphicTransform>(transform: P & ApplicableTo<P, T>): OutputFor<P, T>;
  /** Applies a transform whose output type follows from `T` under the given step name. */
  apply<P extends PolymorphicTransform>(name: string, transform: P & ApplicableTo<P, T>): OutputFor<P, T>;
  apply(a: string | PTransform<PCollection<T>, unknown>, b?: PTransform<PCollection<T>, unknown>): unknown {
    return typeof a === 'string' ? this.pipeline.applyTransform(a, b!, this) : this.pipeline.applyTransform(a.name, a, this);
  }

  /**
   * The records that the aggregation producing this PCollection dropped as late (past the allowed
   * lateness, or for a window whose trigger finished), each with the step, its timestamp, window and
   * reason. A record's `value` is the element as it reached the aggregation: `V` names its type (it
   * is not checked), e.g. `lateData<KV<string, Conn>>()` after `WithKeys(...)` and `Combine.perKey(...)`
   * (like Flink's side output of late data, whose type is the window operator's input type).
   * @throws PipelineConstructionError when this PCollection was not produced by GroupByKey or Combine.
   * @example counts.lateData<KV<string, Click>>().apply(MapElements((r) => `${r.value.key} late for ${r.window}`))
   */
  lateData<V = unknown>(): PCollection<LateRecord<V>> {
    const late = this.producer.outputs['late'];
    if (!late) throw new PipelineConstructionError(`'${this.name}' is not the output of a GroupByKey or Combine, so it has no late data output`);
    return late as PCollection<LateRecord<V>>;
  }

  /**
   * The dead-letter output of the step that produced this PCollection: records a source could not
   * decode, or elements a ParDo built `.withDeadLetters()` failed on.
   * @throws PipelineConstructionError when the step has no dead-letter output.
   */
  deadLetters(): PCollection<DeadLetter> {
    const dl = this.producer.outputs['deadLetter'];
    if (!dl) throw new PipelineConstructionError(`step '${this.producer.fullName}' has no dead-letter output (a source, or a ParDo built .withDeadLetters(), has one)`);
    return dl as PCollection<DeadLetter>;
  }
}
