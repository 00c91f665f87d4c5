import type { Duration, Instant } from '../../sdk/time.js';
import type { ForwardJumpStats } from '../../sdk/io/forward-jump-guard.js';
import type { FileFingerprint } from './file-fingerprint.js';
import type { LinePosition } from './line-reader.js';
import type { InvalidUtf8Line, TooLongLineElement } from './line-dead-letters.js';

/** What a line becomes: an element (with an event time, or the minimum timestamp), nothing, or a dead letter. */
export type LineOutcome<T> =
  | { readonly kind: 'element'; readonly value: T; readonly timestamp?: Instant }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'dead'; readonly reason: string; readonly message: string };

/**
 * How a line source's watermark moves:
 * - `'end-of-input'` (default): it stays at the minimum until the file is read, then jumps to +infinity,
 *   so nothing is ever late (batch semantics; right for files in no particular time order);
 * - `{ maxOutOfOrderness }`: the largest element timestamp seen so far minus the bound (streaming
 *   semantics: windows fire while the file is read; records further out of order become late).
 *   `maxForwardJump` (default 1 hour, `Infinity` = off) guards it against one extreme record: a
 *   timestamp more than that ahead of every earlier one is held from the watermark until a second
 *   record confirms it (see `ForwardJumpGuard` (watershed/sdk)); the record itself is still read and processed.
 */
export type LineWatermark = 'end-of-input' | { readonly maxOutOfOrderness: Duration; readonly maxForwardJump?: Duration };

/** Counts a line source keeps while it reads (read them after the run). */
export class LineSourceStats {
  lines = 0;
  elements = 0;
  readonly skipped: Record<string, number> = {};
  readonly deadLettered: Record<string, number> = {};
  /** Records held from the watermark by its `maxForwardJump` guard (see `describeHeldRecords` in watershed/sdk). */
  readonly heldFromWatermark: ForwardJumpStats = { held: 0, largestLead: 0 };
}

/**
 * The state a stateful line mapper carries from line to line (e.g. Zeek's `#fields` header), saved
 * with every position and restored when a read resumes, so lines after the cut are mapped as in an
 * uninterrupted read. `snapshot` returns plain data (a fresh object); `restore` gets it back in a
 * new run, before the first line, and throws on a value it does not recognise.
 */
export interface LineMapperState {
  snapshot(): unknown;
  restore(state: unknown): void;
}

export interface LineSourceOptions {
  readonly watermark?: LineWatermark;
  /**
   * A line that is not valid UTF-8: `'dead-letter'` (default) sends it to the dead letters, reason
   * `invalid-utf8`, with its exact bytes as element ({@link InvalidUtf8Line}), so nothing is silently
   * altered; `'replace'` decodes it with U+FFFD for each invalid byte and maps it as any other line.
   */
  readonly invalidUtf8?: 'dead-letter' | 'replace';
  /**
   * The longest line read, in bytes (default and most: `buffer.constants.MAX_STRING_LENGTH`, about
   * 512 MiB, the longest string there can be). A longer line is never held whole: it goes to the dead
   * letters, reason `line-too-long`, with its length, where it is in the file and its first bytes
   * ({@link TooLongLineElement}); the read goes on with the next line.
   */
  readonly maxLineBytes?: number;
  /** Filled in while the source is read (counts start at zero in a resumed run: they count that run). */
  readonly stats?: LineSourceStats;
  /** The mapper's state, for mappers that carry state across lines (see {@link LineMapperState}). */
  readonly mapperState?: LineMapperState;
}

/**
 * A line source's position (plain data): the reader's {@link LinePosition}, the largest element
 * timestamp so far (so a resumed `maxOutOfOrderness` watermark continues from it), the file's
 * fingerprint (to refuse resuming on a replaced file) and the mapper's state, when it has one.
 */
export interface LineSourcePosition extends LinePosition {
  readonly maxTs: Instant;
  /** While the largest timestamp is held from the watermark (see `ForwardJumpGuard` (watershed/sdk)), the second largest. */
  readonly secondTs?: Instant;
  /** Absent for a pipe or device (such a position cannot be resumed from). */
  readonly file?: FileFingerprint;
  readonly mapper?: unknown;
}
