import { OutputsCollideError } from '../errors.js';
import type { PipelineGraph } from '../graph.js';

/**
 * What a sink step writes, declared on its DoFn with {@link declareOutputTarget} so that a run can
 * refuse a target it cannot use before any step is set up or any element is read (the command line
 * checks its flags the same way before it builds the pipeline).
 */
export interface OutputTarget {
  /** The path as the program gave it (for messages). */
  readonly path: string;
  /** True when `other` names the same file as `path` (however spelt, or through a link). */
  sameAs(other: string): boolean;
  /**
   * Throws the typed error the sink's setup would throw (e.g. SinkTargetError naming `step` and the
   * path) when the target cannot be used in this run; `checkpointing` is true with a checkpoint directory.
   * Reads the file system, changes nothing.
   */
  check?(step: string, checkpointing: boolean): void;
}

const targets = new WeakMap<object, OutputTarget>();

/**
 * Declares what the sink DoFn `fn` writes; returns `fn`.
 * @example return declareOutputTarget(fileSinkFn(path), { path, sameAs: (o) => sameFile(path, o) });
 */
export function declareOutputTarget<F extends object>(fn: F, target: OutputTarget): F {
  targets.set(fn, target);
  return fn;
}

/**
 * Refuses, before a run, two sink steps writing the same file (OutputsCollideError naming both steps
 * and paths, the first such pair in step order), then any target whose `check` throws (its typed
 * error, e.g. SinkTargetError). Reads the file system, changes nothing.
 * @example refuseOutputConflicts(p.graph(), options.checkpointDir !== undefined)
 */
export function refuseOutputConflicts(graph: PipelineGraph, checkpointing: boolean): void {
  const declared: { step: string; target: OutputTarget }[] = [];
  for (const node of graph.primitives) {
    const payload = node.payload;
    if (payload?.kind !== 'pardo') continue;
    const target = targets.get(payload.fn);
    if (target !== undefined) declared.push({ step: node.fullName, target });
  }
  for (let i = 0; i < declared.length; i++) {
    for (let j = i + 1; j < declared.length; j++) {
      const [a, b] = [declared[i]!, declared[j]!];
      if (a.target.sameAs(b.target.path)) throw new OutputsCollideError(`step '${a.step}' writing ${a.target.path}`, `step '${b.step}' writing ${b.target.path}`);
    }
  }
  for (const { step, target } of declared) target.check?.(step, checkpointing);
}
