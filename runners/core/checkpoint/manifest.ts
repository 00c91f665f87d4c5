import { CheckpointVersionError, CorruptCheckpointError } from '../../../sdk/errors.js';
import { KEY_HASH, MAX_KEY_GROUPS } from '../state/key-groups.js';
import { isUuidV7 } from './checkpoint-id.js';

/** The `format` every manifest carries. */
export const CHECKPOINT_FORMAT = 'watershed-checkpoint';
/** The format version this Watershed writes and reads (file envelope, manifest, key groups, codecs). */
export const CHECKPOINT_VERSION = 1;

/** Why a checkpoint was taken: on the interval, on stop, after a drain, or when a bounded run finished. */
export type CheckpointKind = 'periodic' | 'final' | 'drained' | 'finished';
const KINDS: readonly string[] = ['periodic', 'final', 'drained', 'finished'] satisfies CheckpointKind[];

export type StepKind = 'read' | 'pardo' | 'window' | 'gbk' | 'combine' | 'flatten';
const STEP_KINDS: readonly string[] = ['read', 'pardo', 'window', 'gbk', 'combine', 'flatten'] satisfies StepKind[];

/**
 * Where one segment of state lies in the file: `[step, table, keyGroup, codec, offset, length, crc32c]`.
 * `keyGroup` is null for state that is not keyed (an operator snapshot). `offset` counts from the
 * first byte after the manifest.
 */
export type SegmentRef = [step: string, table: string, keyGroup: number | null, codec: string, offset: number, length: number, crc32c: number];

/** What a checkpoint holds for one step (by its full name). Every field is plain JSON. */
export interface StepEntry {
  readonly kind: StepKind;
  /** What must not change for the state to fit, e.g. `FixedWindows(3000ms)|DefaultTrigger|discarding|lateness=0|END_OF_WINDOW`. */
  readonly fingerprint: string;
  readonly inputWm?: number;
  readonly outputWm?: number;
  readonly sideWm?: readonly number[];
  readonly source?: { readonly position: unknown; readonly watermark: number; readonly done: boolean };
  /** Index in `segments` of the segment holding the operator's own snapshot. */
  readonly operator?: number;
  /**
   * Index in `segments` of the segment holding the step's counters (`StepMetrics`) at this checkpoint,
   * which a resumed run continues from. Checkpoints taken before counters were saved have none: the
   * step's counters then start from zero.
   */
  readonly metrics?: number;
  /** A sink's pending commit (two-phase commit), as plain JSON (bigints as strings). */
  readonly committable?: unknown;
}

/**
 * The JSON head of a checkpoint file: identity, positions, watermarks, committables and the index of
 * its state segments. Runner-neutral: keys are step full names, so either runner resumes it.
 */
export interface CheckpointManifest {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: typeof CHECKPOINT_VERSION;
  readonly jobId: string;
  readonly runId: string;
  /** A uuid v7 (its time part from the injected clock). */
  readonly checkpointId: string;
  /** 1, 2, 3, … per job; names the file (`ck-<seq, 12 digits>`). */
  readonly seq: number;
  readonly kind: CheckpointKind;
  /** Which runner took it (informational). */
  readonly takenBy: string;
  /** Processing time from the injected clock. */
  readonly takenAt: number;
  /** The virtual clock's time, when the run used one (tests). */
  readonly virtualClock?: number;
  readonly keyGroups: number;
  readonly keyHash: typeof KEY_HASH;
  /**
   * Micro-batch: the last batch this checkpoint covers, and the end of the next batch when batches
   * have a fixed interval (so a resumed run keeps the batch boundaries of the run it continues).
   */
  readonly microbatch?: { readonly batchId: number; readonly deadline?: number };
  readonly steps: Readonly<Record<string, StepEntry>>;
  readonly segments: readonly SegmentRef[];
}

/** A manifest as the coordinator fills it in; the file writer adds format, version and segments. */
export type ManifestDraft = Omit<CheckpointManifest, 'format' | 'version' | 'segments'>;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isOptional = (x: unknown, check: (v: unknown) => boolean) => x === undefined || check(x);

/**
 * Checks that parsed JSON is a version-1 manifest of checkpoint `name` whose segments lie within
 * `segmentBytes` bytes, and returns it typed.
 * @throws CheckpointVersionError for another format version.
 * @throws CorruptCheckpointError (reason `bad-manifest`) naming the first field that is wrong.
 */
export function validateManifest(name: string, json: unknown, segmentBytes: number): CheckpointManifest {
  const bad = (what: string): never => {
    throw new CorruptCheckpointError(name, 'bad-manifest', what);
  };
  if (!isObject(json)) return bad('the manifest is not a JSON object');
  if (json['format'] !== CHECKPOINT_FORMAT) bad(`format is ${JSON.stringify(json['format'])}, not "${CHECKPOINT_FORMAT}"`);
  if (typeof json['version'] !== 'number') bad('version is missing');
  if (json['version'] !== CHECKPOINT_VERSION) throw new CheckpointVersionError(name, json['version'] as number, CHECKPOINT_VERSION);
  for (const f of ['jobId', 'runId', 'takenBy']) if (typeof json[f] !== 'string' || json[f] === '') bad(`${f} is not a non-empty string`);
  if (!isUuidV7(json['checkpointId'])) bad('checkpointId is not a uuid v7');
  if (!isCount(json['seq'])) bad('seq is not a non-negative integer');
  if (!KINDS.includes(json['kind'] as string)) bad(`kind ${JSON.stringify(json['kind'])} is unknown`);
  if (!isTime(json['takenAt'])) bad('takenAt is not a finite number');
  if (!isOptional(json['virtualClock'], isTime)) bad('virtualClock is not a finite number');
  const groups = json['keyGroups'];
  if (!Number.isInteger(groups) || (groups as number) < 1 || (groups as number) > MAX_KEY_GROUPS) bad(`keyGroups must be in 1..${MAX_KEY_GROUPS}`);
  if (json['keyHash'] !== KEY_HASH) bad(`keyHash ${JSON.stringify(json['keyHash'])} is not "${KEY_HASH}"`);
  if (!isOptional(json['microbatch'], (m) => isObject(m) && isCount(m['batchId']))) bad('microbatch.batchId is not a non-negative integer');

  const segments = json['segments'];
  if (!Array.isArray(segments)) return bad('segments is not a list');
  segments.forEach((s: unknown, i) => {
    const ok =
      Array.isArray(s) &&
      s.length === 7 &&
      typeof s[0] === 'string' &&
      typeof s[1] === 'string' &&
      (s[2] === null || (Number.isInteger(s[2]) && s[2] >= 0 && s[2] < (groups as number))) &&
      typeof s[3] === 'string' &&
      isCount(s[4]) &&
      isCount(s[5]) &&
      s[4] + s[5] <= segmentBytes &&
      Number.isInteger(s[6]) &&
      s[6] >= 0 &&
      s[6] <= 0xffffffff;
    if (!ok) bad(`segment ${i} is not [step, table, keyGroup, codec, offset, length, crc32c] within the file`);
  });

  const steps = json['steps'];
  if (!isObject(steps)) return bad('steps is not an object');
  for (const [step, e] of Object.entries(steps)) {
    const ok =
      isObject(e) &&
      STEP_KINDS.includes(e['kind'] as string) &&
      typeof e['fingerprint'] === 'string' &&
      isOptional(e['inputWm'], isTime) &&
      isOptional(e['outputWm'], isTime) &&
      isOptional(e['sideWm'], (v) => Array.isArray(v) && v.every(isTime)) &&
      isOptional(e['source'], (v) => isObject(v) && isTime(v['watermark']) && typeof v['done'] === 'boolean') &&
      isOptional(e['operator'], (v) => isCount(v) && v < segments.length) &&
      isOptional(e['metrics'], (v) => isCount(v) && v < segments.length);
    if (!ok) bad(`step ${JSON.stringify(step)} is malformed`);
  }
  return json as unknown as CheckpointManifest;
}
