import type { StepMismatch } from '../../../sdk/errors.js';
import type { PipelineGraph, ReadPayload, TransformNode } from '../../../sdk/graph.js';
import { TIMESTAMP_MIN } from '../../../sdk/time.js';
import { slicingOf } from '../driver/slicing.js';
import type { SegmentPayload } from './checkpoint-file.js';
import type { StepEntry, StepKind } from './manifest.js';
import { ownField } from '../../../sdk/internal/own-field.js';

/**
 * What must not change about a step for its checkpointed state to fit it, as text:
 * - GroupByKey and Combine: the input's windowing (a trigger's name spells out its sub-triggers) (`windowFn | trigger | accumulation | lateness | timestamp combiner`),
 *   and `|sliced` for a Combine that keeps its sliding windows' state per slice (see slicingOf);
 * - ParDo: its state cells and timers (names and kinds) and how many side inputs it reads;
 * - Window: the window function; Flatten: the number of inputs; Read: the source's name.
 * @example stepFingerprint(countNode) // 'FixedWindows(3000ms)|DefaultTrigger|discarding|lateness=0|END_OF_WINDOW'
 */
export function stepFingerprint(node: TransformNode): string {
  const p = node.payload!;
  switch (p.kind) {
    case 'read':
      return (p as ReadPayload).source.name;
    case 'gbk':
    case 'combine': {
      const w = node.inputs[0]!.windowing;
      return `${w.windowFn.name}|${w.trigger.name}|${w.accumulationMode}|lateness=${w.allowedLateness}|${w.timestampCombiner}${slicingOf(node) ? '|sliced' : ''}`;
    }
    case 'pardo': {
      const state = Object.entries(p.fn.state ?? {}).map(([n, s]) => `${n}:${(s as { kind: string }).kind}`);
      const timers = Object.entries(p.fn.timers ?? {}).map(([n, t]) => `${n}:${(t as { domain: string }).domain}`);
      return `state=${state.sort().join(',')}|timers=${timers.sort().join(',')}|sides=${p.sideInputs.length}`;
    }
    case 'window':
      return node.outputs['main']!.windowing.windowFn.name;
    case 'flatten':
      return `inputs=${node.inputs.length}`;
  }
}

/** The kind of a primitive step, as checkpoints name it. */
export function stepKind(node: TransformNode): StepKind {
  return node.payload!.kind as StepKind;
}

/**
 * True when a checkpointed step holds state a pipeline would lose without it: keyed state, an
 * operator snapshot, a source that moved (watermark, done, position) or a sink's pending commit.
 * Watermarks of other steps are not state: a step without them starts from the minimum.
 */
export function holdsState(step: string, entry: StepEntry, segments: readonly SegmentPayload[]): boolean {
  if (entry.operator !== undefined || entry.committable !== undefined) return true;
  const src = entry.source;
  if (src && (src.done || src.watermark > TIMESTAMP_MIN || (src.position !== undefined && src.position !== null))) return true;
  return segments.some((s) => s.step === step && s.keyGroup !== null);
}

/** What `checkCompatibility` found. */
export interface Compatibility {
  /** Steps whose state has no home, or whose home changed. Empty: the checkpoint fits. */
  readonly mismatches: StepMismatch[];
  /** The pipeline's stateful-kind steps the checkpoint has no entry for (new or renamed steps). */
  readonly stepsWithoutState: string[];
}

/**
 * Checks a checkpoint's steps against a pipeline: every step that holds state (see `holdsState`)
 * must exist under the same full name, with the same kind and fingerprint. New steps start empty.
 * @example checkCompatibility(p.graph(), snap.steps, snap.segments).mismatches // [{ step: 'Count', problem: 'no-home' }]
 */
export function checkCompatibility(graph: PipelineGraph, steps: Readonly<Record<string, StepEntry>>, segments: readonly SegmentPayload[]): Compatibility {
  const nodes = new Map(graph.primitives.map((n) => [n.fullName, n]));
  const mismatches: StepMismatch[] = [];
  for (const [step, entry] of Object.entries(steps)) {
    if (!holdsState(step, entry, segments)) continue;
    const node = nodes.get(step);
    if (!node) {
      mismatches.push({ step, problem: 'no-home' });
      continue;
    }
    const kind = stepKind(node);
    const fingerprint = stepFingerprint(node);
    if (kind !== entry.kind || fingerprint !== entry.fingerprint) {
      mismatches.push({ step, problem: 'changed', from: `${entry.kind} ${entry.fingerprint}`, to: `${kind} ${fingerprint}` });
    }
  }
  const stateful = (n: TransformNode) => {
    const k = n.payload!.kind;
    return k === 'gbk' || k === 'combine' || k === 'read' || (k === 'pardo' && (n.payload!.stateful || n.sideInputs.length > 0));
  };
  const stepsWithoutState = graph.primitives.filter((n) => stateful(n) && ownField(steps, n.fullName) === undefined).map((n) => n.fullName);
  return { mismatches, stepsWithoutState };
}
