import { OutputInCheckpointDirError, OutputsCollideError, SinkTargetError } from '../errors.js';
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
  /** With checkpointing, when `path` is a folder the sink manages: true when `other` lies inside it. */
  holds?(other: string): boolean;
  /** True when `path` lies inside the folder `folder` (at any depth, however spelt). */
  inside?(folder: string): boolean;
  /**
   * Throws the typed error the sink's setup would throw (e.g. SinkTargetError naming `step` and the
   * path) when the target cannot be used in this run; `checkpointing` is true with a checkpoint directory.
   * Reads the file system, changes nothing.
   */
  check?(step: string, checkpointing: boolean): void;
}

const targets = new WeakMap<object, OutputTarget>();
const inputFiles = new WeakMap<object, string>();

/**
 * Declares that the source `source` reads the file at `path`, so that a run refuses a sink writing
 * that file (which would replace the input) before it starts; returns `source`.
 * @example return declareInputFile({ name, bounded: true, open }, path);
 */
export function declareInputFile<S extends object>(source: S, path: string): S {
  inputFiles.set(source, path);
  return source;
}

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
 * and paths, the first such pair in step order), then a sink writing a file a source reads (declared
 * with {@link declareInputFile}; with checkpointing also a sink's folder holding it: SinkTargetError
 * naming both steps and paths), then, with a checkpoint directory, a target inside it, the directory
 * itself or a folder of parts holding it (OutputInCheckpointDirError naming the step, the path and the
 * directory), then any target whose `check` throws (its typed error, e.g. SinkTargetError). Reads the
 * file system, changes nothing.
 * @example refuseOutputConflicts(p.graph(), options.checkpointDir)
 */
export function refuseOutputConflicts(graph: PipelineGraph, checkpointDir: string | undefined): void {
  const checkpointing = checkpointDir !== undefined;
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
  for (const node of graph.primitives) {
    const payload = node.payload;
    const input = payload?.kind === 'read' ? inputFiles.get(payload.source) : undefined;
    if (input === undefined) continue;
    for (const { step, target } of declared) {
      const onto = target.sameAs(input) ? 'is' : checkpointing && target.holds?.(input) ? 'holds' : undefined;
      if (onto) throw new SinkTargetError(step, target.path, `it ${onto === 'is' ? 'is' : 'is a folder of parts holding'} the input file: step '${node.fullName}' reads ${input}, and writing it would destroy the input. Give the output another path`);
    }
  }
  if (checkpointDir !== undefined) {
    for (const { step, target } of declared) {
      const relation = target.sameAs(checkpointDir) ? 'is' : target.inside?.(checkpointDir) ? 'inside' : target.holds?.(checkpointDir) ? 'holds' : undefined;
      if (relation) throw new OutputInCheckpointDirError(`step '${step}' writing ${target.path}`, target.path, `the checkpoint directory ${checkpointDir}`, relation);
    }
  }
  for (const { step, target } of declared) target.check?.(step, checkpointing);
}
