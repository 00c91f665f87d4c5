import { CheckpointWriteError } from '../../../sdk/errors.js';
import { failpoint } from '../../../sdk/testing/failpoints.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { ownField } from '../../../sdk/internal/own-field.js';

const OFFSETS = 'offsets/';
const NAME = /^b-(\d{12})$/;
/** The `format` every offset entry carries. */
export const OFFSET_ENTRY_FORMAT = 'watershed-offsets';
export const OFFSET_ENTRY_VERSION = 1;

/** What one Read step took in a micro-batch: from the position before it to the position after it. */
export interface OffsetRange {
  /** The source position when the batch began (the end of the previous batch, or where the run started). */
  readonly from: unknown;
  /** The source position of the last input the batch took (`ReadSlot.position` at the batch end). */
  readonly to: unknown;
  /** The source was done (a bounded input ended) when the batch's input was fixed. */
  readonly done: boolean;
}

/**
 * One micro-batch as its input was fixed, before it ran (design §e, Spark's `offsets/N`): enough to
 * run the same batch again after a crash with the same input, processing time and watermarks.
 * Plain JSON.
 */
export interface OffsetEntry {
  readonly format: typeof OFFSET_ENTRY_FORMAT;
  readonly version: typeof OFFSET_ENTRY_VERSION;
  readonly batchId: number;
  /** Processing time the batch began gathering (the run's clock). */
  readonly startedAt: number;
  /** Processing time its pass ran with (`engine.pass({processingTime})`). */
  readonly processingTime: number;
  /** Input rows the batch took, over all its sources. */
  readonly rows: number;
  /** Per Read step (full name). */
  readonly ranges: Readonly<Record<string, OffsetRange>>;
  /** Per Read step: the source watermark when the batch's input was fixed. */
  readonly watermarks: Readonly<Record<string, number>>;
}

/** An offset entry as a runner fills it in. */
export type OffsetEntryDraft = Omit<OffsetEntry, 'format' | 'version'>;

/** What {@link OffsetLog.entriesAfter} read: entries in order, and why it stopped early, if it did. */
export interface LoggedBatches {
  readonly entries: readonly OffsetEntry[];
  /** An entry that could not be used (unreadable, malformed, or a gap in the batch ids); entries after it are left out. */
  readonly defect?: string;
}

/**
 * The micro-batch offset log on a CheckpointStore: `offsets/b-<batchId, 12 digits>`, one small JSON
 * blob per batch, each written atomically and durably by the store's `put` (temporary file, fsync,
 * rename, fsync of the folder) before the batch runs. Never prints, never reads the clock.
 *
 * Failpoint `offsets.written`: the entry is durable, its batch has not run yet.
 *
 * @example
 * const log = new OffsetLog(store);
 * await log.write({ batchId: 7, startedAt, processingTime, rows: 120, ranges: { Read: { from, to, done: false } }, watermarks: { Read: wm } });
 * const { entries } = await log.entriesAfter(6); // [entry 7]
 * await log.pruneThrough(6);                      // deletes b-…0 … b-…6
 */
export class OffsetLog {
  constructor(readonly store: CheckpointStore) {}

  /** The blob name of batch `batchId`'s entry: `offsets/b-000000000007`. */
  static entryName(batchId: number): string {
    return OFFSETS + 'b-' + String(batchId).padStart(12, '0');
  }

  /**
   * Writes the entry of `draft.batchId` durably (replacing a stale one of the same id).
   * @throws CheckpointWriteError when the store fails; RangeError for a batch id that is not a
   *   non-negative integer or an entry JSON cannot hold exactly (e.g. an infinite watermark).
   */
  async write(draft: OffsetEntryDraft): Promise<void> {
    const entry: OffsetEntry = { format: OFFSET_ENTRY_FORMAT, version: OFFSET_ENTRY_VERSION, ...draft };
    const name = OffsetLog.entryName(draft.batchId);
    const problem = entryProblem(entry);
    if (problem !== undefined) throw new RangeError(`offset entry ${name}: ${problem}`);
    try {
      await this.store.put(name, [Buffer.from(JSON.stringify(entry) + '\n')]);
    } catch (e) {
      throw new CheckpointWriteError(name, this.store.location, e);
    }
    failpoint('offsets.written', `batch ${draft.batchId}`);
  }

  /** The batch ids that have an entry, ascending. */
  async batchIds(): Promise<number[]> {
    const out: number[] = [];
    for (const name of await this.store.list(OFFSETS + 'b-')) {
      const m = NAME.exec(name.slice(OFFSETS.length));
      if (m) out.push(Number(m[1]));
    }
    return out;
  }

  /**
   * The entries of batches `after + 1`, `after + 2`, … in order, as far as they are consecutive and
   * readable; the first gap or unusable entry ends the list and is named in `defect`.
   */
  async entriesAfter(after: number): Promise<LoggedBatches> {
    const entries: OffsetEntry[] = [];
    let expected = after + 1;
    for (const id of await this.batchIds()) {
      if (id <= after) continue;
      const name = OffsetLog.entryName(id);
      if (id !== expected) return { entries, defect: `${name} follows batch ${expected - 1} (batch ${expected} has no entry)` };
      const bytes = await this.store.get(name);
      if (bytes === undefined) return { entries, defect: `${name} disappeared while it was read` };
      let json: unknown;
      try {
        json = JSON.parse(bytes.toString('utf8'));
      } catch {
        return { entries, defect: `${name} is not JSON` };
      }
      const problem = entryProblem(json);
      if (problem !== undefined) return { entries, defect: `${name} is malformed: ${problem}` };
      if ((json as OffsetEntry).batchId !== id) return { entries, defect: `${name} says batch ${(json as OffsetEntry).batchId}` };
      entries.push(json as OffsetEntry);
      expected++;
    }
    return { entries };
  }

  /** Deletes the entries of batches up to and including `batchId`; returns their names. */
  async pruneThrough(batchId: number): Promise<string[]> {
    return this.deleteWhere((id) => id <= batchId);
  }

  /** Deletes the entries of batches after `batchId` (stale ones a resumed run will not replay); returns their names. */
  async deleteAfter(batchId: number): Promise<string[]> {
    return this.deleteWhere((id) => id > batchId);
  }

  private async deleteWhere(test: (id: number) => boolean): Promise<string[]> {
    const deleted: string[] = [];
    for (const id of await this.batchIds()) {
      if (!test(id)) continue;
      const name = OffsetLog.entryName(id);
      await this.store.delete(name);
      deleted.push(name);
    }
    return deleted;
  }
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Why `json` is not a version-1 offset entry, or undefined when it is one. */
function entryProblem(json: unknown): string | undefined {
  if (!isObject(json)) return 'not a JSON object';
  if (json['format'] !== OFFSET_ENTRY_FORMAT || json['version'] !== OFFSET_ENTRY_VERSION) return `not a "${OFFSET_ENTRY_FORMAT}" version ${OFFSET_ENTRY_VERSION} entry`;
  if (!Number.isSafeInteger(json['batchId']) || (json['batchId'] as number) < 0) return 'batchId is not a non-negative integer';
  if (!isTime(json['startedAt']) || !isTime(json['processingTime'])) return 'startedAt or processingTime is not a finite number';
  if (!Number.isSafeInteger(json['rows']) || (json['rows'] as number) < 0) return 'rows is not a non-negative integer';
  const ranges = json['ranges'];
  const watermarks = json['watermarks'];
  if (!isObject(ranges) || !isObject(watermarks)) return 'ranges or watermarks is not an object';
  for (const [step, r] of Object.entries(ranges)) {
    if (!isObject(r) || !('from' in r) || !('to' in r) || typeof r['done'] !== 'boolean') return `the range of step ${JSON.stringify(step)} is not {from, to, done}`;
    if (!isTime(ownField(watermarks, step))) return `the watermark of step ${JSON.stringify(step)} is not a finite number`;
  }
  return undefined;
}
