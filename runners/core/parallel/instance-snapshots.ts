import { CheckpointError } from '../../../sdk/errors.js';
import { emptyStepMetrics, type StepMetrics } from '../../../sdk/metrics.js';
import type { Instant } from '../../../sdk/time.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import type { SegmentPayload } from '../checkpoint/checkpoint-file.js';
import { v8Codec } from '../checkpoint/codecs/v8-codec.js';
import { OPERATOR_TABLE, type EngineSnapshot } from '../checkpoint/engine-snapshot.js';
import type { StepEntry } from '../checkpoint/manifest.js';
import { METRICS_TABLE, restoreStepMetrics, stepMetricsSegment } from '../checkpoint/step-metrics-segment.js';
import type { DriverTiming } from '../driver/window-driver.js';
import type { ParDoSnapshot } from '../operators/par-do-operator.js';

/**
 * Checkpoints of a run as stages (design: docs/design/scale-out.md §3.6, §6 step 5): how the captures of
 * one stage's instances become the one snapshot a run at `--parallelism=1` would hold, and how such a
 * snapshot is split again over any number of instances. A checkpoint so never records how many instances
 * wrote it: the same file restores at 1 (a plain `Engine`) and at any `m`, and a checkpoint written at 1
 * (also before instances existed) restores at any `m`. Per part:
 * - keyed state: one segment per (step, table, key group). Instances own disjoint key groups, so their
 *   segments are put side by side; on restore each instance takes the groups it owns (`ownedGroups`);
 * - step watermarks: the lowest over the instances (all instances of a stage hear the same statuses, so
 *   input watermarks agree; an output watermark held lower by one instance is what the stage as a whole
 *   has reached). Every instance restores them; watermarks only move forward from there;
 * - operator snapshots (not keyed): a ParDo's side-input state is broadcast, so instance 0's stands for all
 *   and is copied to each; its main elements held back for a side window go to the instance that owns
 *   their key (a value that is not a `KV`: instance 0). A window driver's timing: lowest watermarks,
 *   `emittedAny` of any; copied to each. A processing-time Window: the latest processing time and every
 *   pending window end; copied to each;
 * - counters: summed over the instances into one segment per step; on restore instance 0 takes the sums,
 *   the others start at zero, so the step's total (summed over instances) goes on from the checkpoint's.
 */

/** One step's entries from every instance that has one, and the segments they point into. */
export interface InstanceEntry {
  readonly entry: StepEntry;
  readonly segments: readonly SegmentPayload[];
}

/**
 * The entry of `step` merged over its instances, with its operator and counters segments appended to `out`
 * (the entry's `operator` and `metrics` point into `out`).
 * @throws CheckpointError (code CHECKPOINT_MISMATCH) when a read step has several instances, or operator
 * snapshots of an unknown kind differ between instances.
 * @example mergeStepEntries('Count', snaps.map((s) => ({ entry: s.steps['Count']!, segments: s.segments })), segments)
 */
export function mergeStepEntries(step: string, all: readonly InstanceEntry[], out: SegmentPayload[]): StepEntry {
  const first = all[0]!.entry;
  if (all.length === 1) return appendOwn(step, all[0]!, out);
  if (first.source !== undefined) throw new CheckpointError('CHECKPOINT_MISMATCH', `step '${step}': a source read ran as ${all.length} instances, which a checkpoint cannot hold`);
  const low = (pick: (e: StepEntry) => number | undefined): number | undefined => {
    let v: number | undefined;
    for (const { entry } of all) {
      const x = pick(entry);
      if (x !== undefined && (v === undefined || x < v)) v = x;
    }
    return v;
  };
  const inputWm = low((e) => e.inputWm);
  const outputWm = low((e) => e.outputWm);
  const sideWm = first.sideWm?.map((_, i) => low((e) => e.sideWm?.[i])!);
  const ops = all.flatMap(({ entry, segments }) => (entry.operator === undefined ? [] : [decodeOperator(segments[entry.operator]!)]));
  const { operator: _o, metrics: _m, ...rest } = first;
  const merged: { -readonly [K in keyof StepEntry]: StepEntry[K] } = { ...rest };
  if (inputWm !== undefined) merged.inputWm = inputWm;
  if (outputWm !== undefined) merged.outputWm = outputWm;
  if (sideWm !== undefined) merged.sideWm = sideWm;
  if (ops.length > 0) {
    merged.operator = out.length;
    out.push(operatorSegment(step, mergeOperators(step, first.kind, ops)));
  }
  const counted = all.filter(({ entry }) => entry.metrics !== undefined);
  if (counted.length > 0) {
    const sum = emptyStepMetrics();
    for (const { entry, segments } of counted) addMetrics(sum, decodeMetrics(segments[entry.metrics!]!));
    merged.metrics = out.length;
    out.push(stepMetricsSegment(step, sum));
  }
  return merged;
}

/**
 * The entry of `step` for instance `instance` of `instances`, its segments appended to `out`: watermarks as
 * saved, the operator snapshot split (`ownerOf` says which instance a held value belongs to), counters for
 * instance 0 only.
 * @example splitStepEntry('Pairs', snapshot.steps['Pairs']!, snapshot.segments, 1, 3, owner, segments)
 */
export function splitStepEntry(
  step: string,
  entry: StepEntry,
  segments: readonly SegmentPayload[],
  instance: number,
  instances: number,
  ownerOf: (value: unknown) => number,
  out: SegmentPayload[],
): StepEntry {
  if (instances === 1) return appendOwn(step, { entry, segments }, out);
  const { operator, metrics, ...rest } = entry;
  const split: { -readonly [K in keyof StepEntry]: StepEntry[K] } = { ...rest };
  if (operator !== undefined) {
    split.operator = out.length;
    out.push(operatorSegment(step, splitOperator(entry.kind, decodeOperator(segments[operator]!), instance, ownerOf)));
  }
  if (metrics !== undefined && instance === 0) {
    split.metrics = out.length;
    out.push(segments[metrics]!);
  }
  return split;
}

/** Copies an entry's own operator and counters segments into `out`, pointing the entry at them. */
function appendOwn(step: string, { entry, segments }: InstanceEntry, out: SegmentPayload[]): StepEntry {
  const { operator, metrics, ...rest } = entry;
  const copy: { -readonly [K in keyof StepEntry]: StepEntry[K] } = { ...rest };
  if (operator !== undefined) {
    copy.operator = out.length;
    out.push(segments[operator]!);
  }
  if (metrics !== undefined) {
    const seg = segments[metrics]!;
    if (seg.step !== step) throw new CheckpointError('CHECKPOINT_MISMATCH', `step '${step}' points at the counters of '${seg.step}'`);
    copy.metrics = out.length;
    out.push(seg);
  }
  return copy;
}

function decodeOperator(seg: SegmentPayload): unknown {
  return v8Codec.decode(seg.bytes)[0]?.[2];
}

function operatorSegment(step: string, snap: unknown): SegmentPayload {
  return { step, table: OPERATOR_TABLE, keyGroup: null, codec: v8Codec.name, bytes: v8Codec.encode([[null, OPERATOR_TABLE, snap]]) };
}

function decodeMetrics(seg: SegmentPayload): StepMetrics {
  const m = emptyStepMetrics();
  if (seg.table === METRICS_TABLE) restoreStepMetrics(m, seg, 'instance capture');
  return m;
}

function addMetrics(into: StepMetrics, m: StepMetrics): void {
  into.elementsIn += m.elementsIn;
  into.elementsOut += m.elementsOut;
  into.lateDropped += m.lateDropped;
  into.deadLettered += m.deadLettered;
  for (const [k, v] of Object.entries(m.counters)) into.counters[k] = (into.counters[k] ?? 0) + v;
  for (const [k, d] of Object.entries(m.distributions)) {
    const o = into.distributions[k];
    into.distributions[k] = o === undefined ? { ...d } : { count: o.count + d.count, sum: o.sum + d.sum, min: Math.min(o.min, d.min), max: Math.max(o.max, d.max) };
  }
}

interface ProcessingTimeWindowSnapshot {
  readonly pt: Instant;
  readonly pendingEnds: readonly Instant[];
}

/** The operator snapshots of one step's instances as one (see the file comment), by the step's kind. */
function mergeOperators(step: string, kind: StepEntry['kind'], ops: readonly unknown[]): unknown {
  if (kind === 'pardo') {
    const all = ops as ParDoSnapshot[];
    return { sides: all[0]!.sides, held: all.flatMap((s) => s.held) } satisfies ParDoSnapshot;
  }
  if (kind === 'gbk' || kind === 'combine') {
    const all = (ops as { driver: DriverTiming }[]).map((o) => o.driver);
    return {
      driver: {
        inputWm: Math.min(...all.map((d) => d.inputWm)),
        outputWm: Math.min(...all.map((d) => d.outputWm)),
        emittedAny: all.some((d) => d.emittedAny),
      },
    };
  }
  if (kind === 'window') {
    const all = ops as ProcessingTimeWindowSnapshot[];
    return { pt: Math.max(...all.map((s) => s.pt)), pendingEnds: [...new Set(all.flatMap((s) => s.pendingEnds))] } satisfies ProcessingTimeWindowSnapshot;
  }
  const [one, ...others] = ops.map((o) => JSON.stringify(o));
  if (others.some((o) => o !== one)) throw new CheckpointError('CHECKPOINT_MISMATCH', `step '${step}' (${kind}): its instances hold different operator snapshots, which cannot be merged`);
  return ops[0];
}

/** The part of a merged operator snapshot that instance `instance` takes (see the file comment). */
function splitOperator(kind: StepEntry['kind'], snap: unknown, instance: number, ownerOf: (value: unknown) => number): unknown {
  if (kind === 'pardo' && snap !== undefined) {
    const s = snap as ParDoSnapshot;
    return { sides: s.sides, held: s.held.filter((wv: WindowedValue<unknown>) => ownerOf(wv.value) === instance) } satisfies ParDoSnapshot;
  }
  return snap;
}

/** An engine snapshot from its parts (keyed segments are appended after the entries' own). */
export function snapshotOf(like: Pick<EngineSnapshot, 'format' | 'version' | 'keyGroups' | 'keyHash'>, steps: Record<string, StepEntry>, segments: SegmentPayload[]): EngineSnapshot {
  return { format: like.format, version: like.version, keyGroups: like.keyGroups, keyHash: like.keyHash, steps, segments };
}
