import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeRunner } from '../runners/native/native-runner.js';
import type { UnsupportedFeature } from '../sdk/errors.js';
import type { PipelineGraph, TransformNode } from '../sdk/graph.js';
import type { PipelineOptions } from '../sdk/options.js';
import { PCollection } from '../sdk/pcollection.js';
import type { PipelineRun, Runner } from '../sdk/runner.js';
import type { PCollectionView } from '../sdk/side-input.js';
import { Never } from '../sdk/triggers/never.js';

/**
 * Deliberately broken runners for the suite's self-test (self-test.test.ts): the suite must be able
 * to fail. Not registered anywhere else.
 */

/**
 * A copy of the graph in which every PCollection's trigger is Never(): each window then fires once,
 * when it expires (end of window plus allowed lateness), whatever the user asked for. The copy has
 * its own PCollection and node objects; payloads (DoFns, side-input views the DoFns read) are shared.
 */
export function withoutTriggers(graph: PipelineGraph): PipelineGraph {
  const nodes = new Map<TransformNode, TransformNode>();
  for (const n of graph.all) {
    nodes.set(n, { ...n, parent: undefined, children: [], inputs: [], sideInputs: [], outputs: {} });
  }
  for (const [old, copy] of nodes) {
    (copy as { parent: TransformNode | undefined }).parent = old.parent ? nodes.get(old.parent) : undefined;
    copy.children.push(...old.children.map((c) => nodes.get(c)!));
  }
  const pcolls = new Map<PCollection<unknown>, PCollection<unknown>>();
  for (const pc of graph.pcollections) {
    pcolls.set(pc, new PCollection(pc.pipeline, pc.id, pc.name, nodes.get(pc.producer)!, pc.tag, { ...pc.windowing, trigger: Never(), triggerIsDefault: false }, pc.bounded));
  }
  for (const [old, copy] of nodes) {
    copy.inputs.push(...old.inputs.map((pc) => pcolls.get(pc)!));
    copy.sideInputs.push(...old.sideInputs.map((v): PCollectionView<unknown> => ({ ...v, pcollection: pcolls.get(v.pcollection)! })));
    for (const [tag, pc] of Object.entries(old.outputs)) copy.outputs[tag] = pcolls.get(pc)!;
  }
  return { primitives: graph.primitives.map((n) => nodes.get(n)!), all: graph.all.map((n) => nodes.get(n)!), pcollections: graph.pcollections.map((pc) => pcolls.get(pc)!) };
}

/** The native runner, except that it ignores every trigger and fires each window once, at the end. */
export class IgnoresTriggersRunner implements Runner {
  readonly name = 'ignores-triggers';
  readonly supportsCheckpoints = true;
  private readonly inner = new NativeRunner();
  validate(graph: PipelineGraph, options: PipelineOptions): UnsupportedFeature[] {
    return this.inner.validate(graph, options);
  }
  start(graph: PipelineGraph, options: PipelineOptions): PipelineRun {
    return this.inner.start(withoutTriggers(graph), options);
  }
}

export const REFUSAL_REASON = 'this runner refuses every pipeline (self-test)';

/** A runner that rejects every pipeline at validation. */
export class RefusesEverythingRunner implements Runner {
  readonly name = 'refuses-everything';
  validate(graph: PipelineGraph): UnsupportedFeature[] {
    return [{ step: graph.primitives[0]?.fullName ?? '(empty pipeline)', feature: 'any pipeline', reason: REFUSAL_REASON }];
  }
  start(): PipelineRun {
    throw new Error('refuses-everything never starts: validate() rejected the pipeline');
  }
}

/**
 * The native runner, except that every run checkpoints into a fresh directory of its own: it takes
 * checkpoints (so failpoints around them are reached) but never resumes from the directory it was
 * given, so a resumed run starts over and commits again what the crashed run had committed.
 */
export class ForgetsCheckpointsRunner implements Runner {
  readonly name = 'forgets-checkpoints';
  /** It claims to; that is the point. */
  readonly supportsCheckpoints = true;
  private readonly inner = new NativeRunner();
  validate(graph: PipelineGraph, options: PipelineOptions): UnsupportedFeature[] {
    return this.inner.validate(graph, options);
  }
  start(graph: PipelineGraph, options: PipelineOptions): PipelineRun {
    if (options.checkpointDir === undefined) return this.inner.start(graph, options);
    return this.inner.start(graph, { ...options, checkpointDir: mkdtempSync(join(tmpdir(), 'watershed-forgets-')) });
  }
}

/** The native runner, except that its runs cannot be stopped gracefully (`PipelineRun.stop` is undefined). */
export class CannotStopRunner implements Runner {
  readonly name = 'cannot-stop';
  readonly supportsCheckpoints = true;
  private readonly inner = new NativeRunner();
  validate(graph: PipelineGraph, options: PipelineOptions): UnsupportedFeature[] {
    return this.inner.validate(graph, options);
  }
  start(graph: PipelineGraph, options: PipelineOptions): PipelineRun {
    const run = this.inner.start(graph, options);
    return { done: run.done, cancel: () => run.cancel(), ...(run.checkpoint ? { checkpoint: () => run.checkpoint!() } : {}) };
  }
}

/** The native runner, except that a drain only stops: open windows and timers stay in the final checkpoint. */
export class DrainOnlyStopsRunner implements Runner {
  readonly name = 'drain-only-stops';
  readonly supportsCheckpoints = true;
  private readonly inner = new NativeRunner();
  validate(graph: PipelineGraph, options: PipelineOptions): UnsupportedFeature[] {
    return this.inner.validate(graph, options);
  }
  start(graph: PipelineGraph, options: PipelineOptions): PipelineRun {
    const run = this.inner.start(graph, options);
    const stop = run.stop!.bind(run);
    return { done: run.done, cancel: () => run.cancel(), ...(run.checkpoint ? { checkpoint: () => run.checkpoint!() } : {}), stop: () => stop({}) };
  }
}
