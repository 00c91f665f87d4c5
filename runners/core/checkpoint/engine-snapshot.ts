import type { CheckpointFile, SegmentPayload } from './checkpoint-file.js';
import type { StepEntry } from './manifest.js';
import type { KEY_HASH } from '../state/key-groups.js';

/** The `format` of an engine snapshot. */
export const ENGINE_SNAPSHOT_FORMAT = 'watershed-engine-snapshot';
/** The layout version of an engine snapshot; it moves with the checkpoint format version. */
export const ENGINE_SNAPSHOT_VERSION = 1;

/**
 * Everything an `Engine` holds at a quiescent point, in memory and runner-neutral: what
 * `Engine.capture()` returns and `Engine.restore()` takes. Its parts are those of a checkpoint file,
 * so the checkpoint coordinator frames it with `encodeCheckpointFile(draft with steps, segments)`:
 * - `steps`, by step full name (the step's identity): kind, fingerprint, input, side and output
 *   watermarks, a source's watermark and `done`, and the index of the step's operator segment;
 * - `segments`: keyed state, one per (step, table, key group), encoded with the table's codec;
 *   one `v8/v1` segment per operator with its own state (table `operator`, key group null); and one
 *   `v8/v1` segment per step with its counters (table `metrics`, key group null; see step-metrics-segment.ts).
 * Nothing in it depends on the runner: both runners drive the same operators, and at a quiescent
 * point no trigger evaluation is outstanding in either fire mode.
 *
 * @example
 * const snap = engine.capture();            // after emitBatch + pass + finishBundles
 * const next = new Engine(graph, options);  // another run, maybe another runner
 * next.restore(snap);                        // before any input
 */
export interface EngineSnapshot {
  readonly format: typeof ENGINE_SNAPSHOT_FORMAT;
  readonly version: typeof ENGINE_SNAPSHOT_VERSION;
  readonly keyGroups: number;
  readonly keyHash: typeof KEY_HASH;
  readonly steps: Readonly<Record<string, StepEntry>>;
  readonly segments: readonly SegmentPayload[];
}

/** The name of the table that holds an operator's own snapshot (key group null). */
export const OPERATOR_TABLE = 'operator';

/**
 * The engine snapshot a verified checkpoint file holds (every segment checked against its crc32c),
 * for `Engine.restore`. The inverse of framing `capture()` with `encodeCheckpointFile`.
 * @throws CorruptCheckpointError (reason `bad-segment`) for a segment that fails its checksum.
 * @example engine.restore(engineSnapshotOf(readCheckpointFile(name, bytes)), { checkpoint: name })
 */
export function engineSnapshotOf(file: CheckpointFile): EngineSnapshot {
  const m = file.manifest;
  return {
    format: ENGINE_SNAPSHOT_FORMAT,
    version: ENGINE_SNAPSHOT_VERSION,
    keyGroups: m.keyGroups,
    keyHash: m.keyHash,
    steps: m.steps,
    segments: m.segments.map(([step, table, keyGroup, codec], i) => ({ step, table, keyGroup, codec, bytes: file.segment(i) })),
  };
}
