/**
 * Text files as input and output: {@link TextFile}.lines, {@link TextFile}.ndjson (unreadable lines are
 * dead letters) and {@link TextFile}.write (an existing file is replaced only once the run succeeded).
 * @module watershed/io/text-file
 */
import { constants } from 'node:buffer';
import { closeSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import type { DoFn } from '../../sdk/dofn.js';
import { CheckpointRecoveryError, SinkTargetError, SinkWriteError, SourcePositionError, UnsupportedGuaranteeError, WatershedError } from '../../sdk/errors.js';
import type { CheckpointingInfo } from '../../sdk/io/two-phase-commit.js';
import { DEFAULT_MAX_FORWARD_JUMP, ForwardJumpGuard, type ForwardJumpStats } from '../../sdk/io/forward-jump-guard.js';
import type { Source, SourceBatch } from '../../sdk/io/source.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import type { PTransform } from '../../sdk/ptransform.js';
import { TIMESTAMP_MIN, type Duration, type Instant } from '../../sdk/time.js';
import { invalidInstantMessage, isValidInstant } from '../../sdk/internal/valid-instant.js';
import { declareInputFile, declareOutputTarget } from '../../sdk/internal/output-targets.js';
import { RejectedElementError } from '../../sdk/internal/rejected-element.js';
import { ParDo } from '../par-do.js';
import { isStreamTarget, NAMES_DIRECTORY, namesDirectory, openFileSinkTarget, type FileSinkTarget } from './file-sink-target.js';
import { PartFolder, type PartHandle } from './part-files.js';
import { FileWriterThread, writeAllSync } from './file-writer-thread.js';
import { Read } from '../read.js';
import { isInside, sameFile } from './same-file.js';
import { checkResumable, fingerprintFile, type FileFingerprint } from './file-fingerprint.js';
export { InputTruncatedError } from './input-truncated-error.js';
export type { FileFingerprint } from './file-fingerprint.js';
import { isLinePosition, LineReader, type LinePosition } from './line-reader.js';
import { callTimestamp, describeThrown, threw } from './user-code-error.js';
import { jsonDepthProblem } from './json-depth.js';
export type { LinePosition } from './line-reader.js';

/** The dead-letter reason of a line whose event time is not a valid instant. */
const INVALID_TIMESTAMP = 'invalid-timestamp';
/** The dead-letter reason of a last line still being written when the read got to the file's end. */
const PARTIAL_LINE = 'partial-line';
/** The dead-letter reason of a line on which the source's mapper threw. */
const MAPPER_ERROR = 'mapper-error';
/** The dead-letter reason of a line longer than `maxLineBytes`. */
const LINE_TOO_LONG = 'line-too-long';

// ---------------------------------------------------------------------------------------------
// Reading lines
// ---------------------------------------------------------------------------------------------


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

/**
 * A bounded Source over the lines of a file, mapped by `map(text, lineNumber)`. Dead letters carry
 * the origin `{ file, line }`; a line on which `map` throws is one (`mapper-error`, the error in its
 * message), and the read goes on. A line that is not valid UTF-8 is a dead letter (`invalid-utf8`, its
 * bytes in the element) unless `invalidUtf8: 'replace'`. The file is read to its end as found there
 * (lines appended meanwhile too); a last line without `\n` is a line, unless the file grew while it
 * was read: then it is still being written and is a dead letter (`partial-line`), never mapped.
 * Building block of {@link TextFile} and of format-specific readers.
 *
 * Checkpointing: the reader's `position()` is a {@link LineSourcePosition}; opened with it as
 * `resumeFrom`, the source continues with the next line, its line numbers and watermark as in an
 * uninterrupted read. The file may have grown since (appended lines are read too); if it is shorter,
 * starts differently (replaced) or grew after an unterminated last line already read, `open` fails
 * with a `SourcePositionError` rather than skip or repeat lines. `stopAt(p)` returns no line after `p`.
 * @example lineSource('Flows', 'flows.log', (text) => ({ kind: 'element', value: text.toUpperCase() }))
 */
export function lineSource<T>(name: string, path: string, map: (text: string, line: number) => LineOutcome<T>, options: LineSourceOptions = {}): Source<T> {
  const policy = options.watermark ?? 'end-of-input';
  const lag = policy === 'end-of-input' ? undefined : policy.maxOutOfOrderness;
  if (lag !== undefined && !(lag >= 0)) throw new RangeError(`maxOutOfOrderness must be >= 0 ms, got ${lag}`);
  const maxForwardJump = policy === 'end-of-input' ? undefined : (policy.maxForwardJump ?? DEFAULT_MAX_FORWARD_JUMP);
  if (maxForwardJump !== undefined && !(maxForwardJump >= 0)) throw new RangeError(`maxForwardJump must be >= 0 ms, got ${maxForwardJump}`);
  const stats = options.stats ?? new LineSourceStats();
  const mapperState = options.mapperState;
  const keepInvalidUtf8 = options.invalidUtf8 === 'replace';
  const maxLineBytes = options.maxLineBytes;
  if (maxLineBytes !== undefined && !(Number.isInteger(maxLineBytes) && maxLineBytes >= 1 && maxLineBytes <= constants.MAX_STRING_LENGTH)) {
    throw new RangeError(`maxLineBytes must be an integer in 1..${constants.MAX_STRING_LENGTH} (the longest string), got ${maxLineBytes}`);
  }
  return declareInputFile({
    name,
    bounded: true,
    async open(ctx) {
      const guard = new ForwardJumpGuard(maxForwardJump ?? Number.POSITIVE_INFINITY, stats.heldFromWatermark);
      let file: FileFingerprint | undefined;
      let reader: LineReader;
      if (ctx.resumeFrom === undefined) {
        file = await fingerprintFile(path);
        reader = await LineReader.open(path, { step: ctx.step, maxLineBytes });
      } else {
        const from = lineSourcePosition(path, ctx.resumeFrom, mapperState !== undefined);
        await checkResumable(path, from.byte, from.file);
        file = from.file;
        guard.restore(from.maxTs, from.secondTs);
        if (mapperState) {
          try {
            mapperState.restore(from.mapper);
          } catch (e) {
            throw new SourcePositionError(path, 'malformed', `the mapper's saved state was refused: ${(e as Error).message}`);
          }
        }
        reader = await LineReader.open(path, { from, step: ctx.step, maxLineBytes });
      }
      // For the share read (progress line, dashboard): a regular file's size when opened; none for a pipe.
      const opened = await stat(path);
      const size = opened.isFile() ? opened.size : undefined;
      return {
        async poll(max): Promise<SourceBatch<T>> {
          const { lines, done } = await reader.next(max);
          const elements: { value: T; timestamp: Instant }[] = [];
          const deadLetters: DeadLetter[] = [];
          for (const { text, line, bytes, partial, tooLong } of lines) {
            stats.lines++;
            if (tooLong !== undefined) {
              // Longer than a string can be (or than maxLineBytes): never held whole, never mapped.
              stats.deadLettered[LINE_TOO_LONG] = (stats.deadLettered[LINE_TOO_LONG] ?? 0) + 1;
              const head = Math.min(maxLineBytes ?? constants.MAX_STRING_LENGTH, 1024);
              const element: TooLongLineElement = { head: text, bytes: tooLong.bytes, from: tooLong.from };
              deadLetters.push({ step: ctx.step, reason: LINE_TOO_LONG, message: `line ${line} is ${tooLong.bytes} bytes long, more than the ${maxLineBytes ?? constants.MAX_STRING_LENGTH} a line may have: it is bytes ${tooLong.from}..${tooLong.from + tooLong.bytes} of the file, its first ${head} in the element`, element, origin: { file: path, line } });
              continue;
            }
            if (partial) {
              // The file grew while read and ends in the middle of this line: half a record, never mapped.
              stats.deadLettered[PARTIAL_LINE] = (stats.deadLettered[PARTIAL_LINE] ?? 0) + 1;
              const element: string | InvalidUtf8Line = bytes === undefined ? text : { text, value: bytes.toString('base64'), encoding: 'base64' };
              deadLetters.push({ step: ctx.step, reason: PARTIAL_LINE, message: `line ${line} has no line end and was still being written when the read got to the end of the file (the file grew while it was read): its ${bytes?.length ?? Buffer.byteLength(text)} bytes so far are not a complete record`, element, origin: { file: path, line } });
              continue;
            }
            if (bytes !== undefined && !keepInvalidUtf8) {
              stats.deadLettered['invalid-utf8'] = (stats.deadLettered['invalid-utf8'] ?? 0) + 1;
              const element: InvalidUtf8Line = { text, value: bytes.toString('base64'), encoding: 'base64' };
              deadLetters.push({ step: ctx.step, reason: 'invalid-utf8', message: `line ${line} is not valid UTF-8 (${bytes.length} bytes, in the element as base64)`, element, origin: { file: path, line } });
              continue;
            }
            let o: LineOutcome<T>;
            try {
              o = map(text, line);
            } catch (e) {
              // User code failing on one line: that line is a dead letter, the read goes on.
              o = { kind: 'dead', reason: MAPPER_ERROR, message: `the line mapper threw: ${describeThrown(e)}` };
            }
            if (o.kind === 'element') {
              // Only undefined means "no event time"; null (a JSON null field) is not an instant and is dead-lettered below.
              const timestamp = o.timestamp === undefined ? TIMESTAMP_MIN : o.timestamp;
              if (!isValidInstant(timestamp)) {
                // NaN, ±Infinity, beyond TIMESTAMP_MIN..MAX: a dead letter with its line, never the watermark's maximum
                stats.deadLettered[INVALID_TIMESTAMP] = (stats.deadLettered[INVALID_TIMESTAMP] ?? 0) + 1;
                deadLetters.push({ step: ctx.step, reason: INVALID_TIMESTAMP, message: invalidInstantMessage(timestamp, 'the timestamp function returned'), element: text, origin: { file: path, line } });
                continue;
              }
              guard.observe(timestamp);
              elements.push({ value: o.value, timestamp });
              stats.elements++;
            } else if (o.kind === 'skip') {
              stats.skipped[o.reason] = (stats.skipped[o.reason] ?? 0) + 1;
            } else {
              stats.deadLettered[o.reason] = (stats.deadLettered[o.reason] ?? 0) + 1;
              deadLetters.push({ step: ctx.step, reason: o.reason, message: o.message, element: text, origin: { file: path, line } });
            }
          }
          const confirmed = guard.confirmed();
          const watermark = lag === undefined || confirmed === TIMESTAMP_MIN ? TIMESTAMP_MIN : confirmed - lag;
          return deadLetters.length > 0 ? { elements, watermark, done, deadLetters } : { elements, watermark, done };
        },
        position(): LineSourcePosition {
          const { byte, line } = reader.position();
          const ts = guard.top();
          const p: LineSourcePosition = file === undefined ? { byte, line, ...ts } : { byte, line, ...ts, file };
          return mapperState ? { ...p, mapper: mapperState.snapshot() } : p;
        },
        stopAt(p) {
          reader.stopAt(p === undefined ? undefined : lineSourcePosition(path, p, mapperState !== undefined).byte);
        },
        progress() {
          if (size === undefined) return undefined;
          const { byte } = reader.position();
          return { done: byte, total: Math.max(size, byte) };
        },
        close: () => reader.close(),
      };
    },
  } satisfies Source<T>, path);
}

/**
 * The element of a line source's `line-too-long` dead letter: where the line is in the file (bytes
 * `from` .. `from + bytes`, its line end not counted) and its first bytes, decoded, for reading.
 */
export interface TooLongLineElement {
  /** The line's first min(maxLineBytes, 1024) bytes, decoded (a character cut at the end shows as U+FFFD). */
  readonly head: string;
  /** The line's length in bytes. */
  readonly bytes: number;
  /** The file offset of its first byte. */
  readonly from: number;
}

/**
 * The element of a line source's `invalid-utf8` dead letter: the line's exact bytes (`value`, base64)
 * and, for reading, its text as decoded with U+FFFD.
 */
export interface InvalidUtf8Line {
  /** The line decoded with U+FFFD for each invalid byte (for reading only: it is not the data). */
  readonly text: string;
  /** The line's bytes as read, without its line end, in base64. */
  readonly value: string;
  /** How `value` is encoded. */
  readonly encoding: 'base64';
}

/** `p` as a line source position. @throws SourcePositionError 'malformed' when it is not one. */
function lineSourcePosition(path: string, p: unknown, withMapper: boolean): LineSourcePosition {
  const o = p as Partial<LineSourcePosition> | null;
  const ok =
    isLinePosition(p) &&
    typeof o!.maxTs === 'number' &&
    (o!.secondTs === undefined || typeof o!.secondTs === 'number') &&
    (o!.file === undefined || (typeof o!.file === 'object' && o!.file !== null && Number.isSafeInteger(o!.file.headBytes) && Number.isSafeInteger(o!.file.headCrc32c))) &&
    (!withMapper || 'mapper' in o!);
  if (!ok) throw new SourcePositionError(path, 'malformed', `not a line source position${withMapper ? ' with mapper state' : ''}: ${shorten(JSON.stringify(p) ?? String(p))}`);
  return o as LineSourcePosition;
}

function shorten(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

export interface TextFileReadOptions<T> extends LineSourceOptions {
  /** Blank lines are skipped (default true). */
  readonly skipBlankLines?: boolean;
  /**
   * Event time of an element (default: the minimum timestamp); needed for a `maxOutOfOrderness` watermark.
   * A line for which it returns NaN, ±Infinity or a time beyond TIMESTAMP_MIN..TIMESTAMP_MAX is a dead
   * letter (`invalid-timestamp`, with file and line) and does not move the watermark; one on which it
   * throws is a dead letter too (`timestamp-error`), and the read goes on.
   */
  readonly timestamp?: (value: T, line: number) => Instant | undefined;
}

/**
 * Text files as bounded inputs and as outputs.
 * - `TextFile.lines(path)`: one string per line.
 * - `TextFile.ndjson(path)`: one parsed JSON value per line; lines that are not JSON go to the Read
 *   step's dead-letter output (`pcoll.deadLetters()`) with reason `malformed-json` (`too-deep` for
 *   one nested more than 1000 levels) and origin `{ file, line }`.
 * - `TextFile.write(path, format)`: a sink writing one line per element.
 * @example p.apply('Flows', TextFile.ndjson<Flow>('flows.ndjson')).apply('Out', TextFile.write('out.ndjson'))
 */
export const TextFile = {
  /**
   * The lines of the file at `path`, one string each (without the line break; blank lines skipped unless
   * `skipBlankLines: false`), read to the end. Event time from `options.timestamp` (default: the minimum
   * timestamp); a missing file fails the run with a SourceError naming the step and the path.
   * @example p.apply('Lines', TextFile.lines('words.txt')).apply('Words', FlatMap((l: string) => l.split(' ')))
   */
  lines(path: string, options: TextFileReadOptions<string> = {}): PTransform<Pipeline, PCollection<string>> {
    const skipBlank = options.skipBlankLines ?? true;
    const source = lineSource<string>(
      `TextFile(${path})`,
      path,
      (text, line) => (skipBlank && text.trim() === '' ? { kind: 'skip', reason: 'blank' } : withTimestamp(text, line, options.timestamp)),
      options,
    );
    return Read(source);
  },

  /**
   * One JSON value per line of the file at `path` (`T` names its type; it is not checked). A line that is
   * not JSON goes to the step's `deadLetters()` with reason `malformed-json` and its file and line, one
   * nesting arrays and objects more than 1000 levels deep with reason `too-deep`,
   * and the read goes on.
   * @example p.apply('Views', TextFile.ndjson<View>('views.ndjson', { timestamp: (v) => v.at, watermark: { maxOutOfOrderness: seconds(5) } }))
   */
  ndjson<T = unknown>(path: string, options: TextFileReadOptions<T> = {}): PTransform<Pipeline, PCollection<T>> {
    const skipBlank = options.skipBlankLines ?? true;
    const source = lineSource<T>(
      `Ndjson(${path})`,
      path,
      (text, line) => {
        if (skipBlank && text.trim() === '') return { kind: 'skip', reason: 'blank' };
        const deep = jsonDepthProblem(text);
        if (deep !== undefined) return { kind: 'dead', reason: 'too-deep', message: `${deep}: it would overflow the stack of whatever reads the value` };
        let value: T;
        try {
          value = JSON.parse(text) as T;
        } catch (e) {
          return { kind: 'dead', reason: 'malformed-json', message: (e as Error).message };
        }
        return withTimestamp(value, line, options.timestamp);
      },
      options,
    );
    return Read(source);
  },

  /**
   * Writes each element as one line (`format`, default `JSON.stringify`: NDJSON, UTF-8) to `path`.
   * A regular file is written under a hidden name next to it (`.<name>.<uuid>.inprogress`) and renamed
   * onto `path` only when the run ends successfully, after an fsync: until then an existing file
   * stays as it was, and a failed or cancelled run removes the hidden file and leaves `path` untouched.
   * A pipe, FIFO, `/dev/stdout` or device is written in place, in order.
   * Lines are encoded into a buffer of `flushBytes` bytes (default 1 MiB) that
   * is written when full, at the end of every bundle, and at teardown, so memory stays bounded
   * however many elements one step emits at once (a longer line is written on its own). Full buffers
   * are written on a writer thread while the runner's thread goes on; when 8 wait for the disk, the
   * runner's thread waits. A write error (ENOSPC, EACCES, EIO, ...) fails the run with a SinkWriteError
   * naming the step and `path`, the file system's error as its cause. An element that cannot be encoded
   * (`format` throws: a BigInt or a cycle for JSON.stringify, a toJSON that throws; or gives no string)
   * is not written: it goes to the returned PCollection's `deadLetters()` (reason `unencodable`, origin
   * `{ step, path }`, the message saying why) and the run goes on. The step's user counter
   * `bytesWritten` counts the bytes written. Lines from several windows and panes are written in
   * arrival order.
   *
   * With checkpointing (`--checkpointDir`), `path` on a file system is a folder of part files, one per
   * checkpoint with output (`part-<subtask>-<seq:012><ext>`, read them in name order), each renamed into
   * view only once its checkpoint is durable (two-phase commit with the checkpoints); a `path` that
   * is a file is refused (SinkTargetError). A pipe, FIFO or `/dev/stdout` is refused under exactly-once
   * (UnsupportedGuaranteeError) and written in order under at-least-once.
   *
   * `Pipeline.run()` refuses before the run, as the command line does, two sinks writing one file
   * (OutputsCollideError naming both steps and paths) and, with checkpointing, a `path` that is a file
   * (SinkTargetError naming the step and path). A run that writes no line leaves an empty file, or
   * with checkpointing an empty folder.
   */
  write<T>(path: string, format: (value: T) => string = (v) => JSON.stringify(v), flushBytes = 1 << 20): PTransform<PCollection<T>, PCollection<never>> {
    return TextFile.writeEncoded(path, stringLineEncoder(format), flushBytes);
  },

  /**
   * Like {@link TextFile.write}, with an encoder that writes each line's bytes (and its `\n`)
   * straight into the sink's buffer: for hot outputs, where building a string per line and then
   * copying it is the main cost.
   */
  writeEncoded<T>(path: string, encode: LineEncoder<T>, flushBytes = 1 << 20): PTransform<PCollection<T>, PCollection<never>> {
    if (!(Number.isInteger(flushBytes) && flushBytes >= 1)) throw new RangeError(`flushBytes must be a positive integer, got ${flushBytes}`);
    return {
      name: 'TextFile.write',
      expand: (input, ctx) => {
        // Checked by Pipeline.start before the run: no other sink onto this file, no file where the part folder must go.
        const fn = declareOutputTarget(fileSinkFn(path, encode, flushBytes), {
          path,
          sameAs: (other) => sameFile(path, other),
          holds: (other) => isInside(path, other),
          inside: (folder) => isInside(folder, path),
          check: (step, checkpointing) => {
            if (!checkpointing && namesDirectory(path)) throw new SinkTargetError(step, path, NAMES_DIRECTORY);
            if (checkpointing) PartFolder.refuseFileInTheWay(step, path);
          },
        });
        // Its dead letters: the elements it cannot encode (`unencodable`); a write error fails the run (SinkWriteError).
        return ParDo<T, never>(fn).withDeadLetters().expand(input, ctx);
      },
    };
  },
};

/** `value` as an element at `timestamp(value, line)` (none without the function), or the line's `timestamp-error` dead letter when it throws. */
function withTimestamp<T>(value: T, line: number, timestamp: ((value: T, line: number) => Instant | undefined) | undefined): LineOutcome<T> {
  if (timestamp === undefined) return { kind: 'element', value };
  const t = callTimestamp(timestamp, value, line);
  return threw(t) ? { kind: 'dead', reason: t.reason, message: t.message } : { kind: 'element', value, timestamp: t as Instant | undefined };
}

/**
 * Writes one element as one line, `\n` included, into `buf` from `offset`: returns the offset after
 * it, or -1 (having written nothing that matters) when it does not fit before `buf.length`.
 */
export type LineEncoder<T> = (value: T, buf: Buffer, offset: number) => number;

/** The encoder of a line given as text (UTF-8). */
export function stringLineEncoder<T>(format: (value: T) => string): LineEncoder<T> {
  return (value, buf, offset) => {
    const line = format(value);
    if (typeof line !== 'string') throw new TypeError(`the format gave ${line === null ? 'null' : typeof line}, not a string (${String(line)})`);
    // A UTF-16 code unit takes at most 3 bytes in UTF-8; measure exactly only near the end.
    if (offset + line.length * 3 + 1 > buf.length && offset + Buffer.byteLength(line, 'utf8') + 1 > buf.length) return -1;
    const end = offset + buf.write(line, offset, buf.length - offset, 'utf8');
    buf[end] = 10;
    return end + 1;
  };
}

/** Slots of `flushBytes` a file sink's writer thread has: at most this many full buffers wait for the disk. */
const SINK_BUFFERS = 8;

/**
 * The file sink. Lines are encoded into buffers of `flushBytes`; a full buffer goes to a writer
 * thread (started at the first full buffer), so the disk works while the runner's thread goes on
 * encoding, even inside one long synchronous emitting loop, where I/O completions of the event loop
 * would never be seen. When all buffers wait for the disk, the runner's thread waits (backpressure).
 * A bundle's last, partial buffer is written on the thread when it runs, else in place (small outputs
 * never start a thread). A regular file is written at positions into its in-progress file, published
 * at teardown when the run is done; other targets are written sequentially, in order, and a slow
 * reader of a pipe is waited for as long as it takes.
 *
 * With checkpointing (`SetupContext.checkpointing`) and a path on a file system, `path` is a folder of
 * part files ({@link PartFolder}): bytes go to a hidden in-progress part, opened at the first write after
 * a checkpoint (the writer thread is retargeted to it); `preCommit` seals it (fdatasync, close, fsync
 * of the folder) and returns its handle, `commit` renames it to `part-<subtask>-<seq>`, `recover`
 * finishes the restored checkpoint's part and cleans up after a crashed run. At-least-once publishes
 * at `preCommit`. A pipe, FIFO, terminal or device is refused under exactly-once
 * (UnsupportedGuaranteeError) and written in order under at-least-once.
 */
function fileSinkFn<T>(path: string, encode: LineEncoder<T>, flushBytes: number): DoFn<T, never> {
  let target: FileSinkTarget | undefined;
  /** With checkpointing to a file system: the part folder, and the in-progress part being written. */
  let parts: PartFolder | undefined;
  let part: { fd: number; name: string } | undefined;
  let partsOpened = 0;
  let checkpointing: CheckpointingInfo | undefined;
  let step = '';
  let positional = false;
  let writer: FileWriterThread | undefined;
  /** The buffer being filled; it goes to the file at `position` (or next, for a sequential target). */
  let buf: Buffer = Buffer.alloc(0);
  let used = 0;
  let position = 0;
  let unreported = 0;
  /** Where the next bytes go: their offset in a regular file, null (the current offset) otherwise. */
  const at = (): number | null => (positional ? position : null);
  /** The descriptor bytes go to; with parts, a new in-progress part is opened here at the first write after a checkpoint. */
  const fd = (): number => {
    if (parts === undefined) return target!.fd;
    if (part === undefined) {
      part = parts.create(checkpointing!.runId, ++partsOpened);
      position = 0;
      writer!.retarget(part.fd);
    }
    return part.fd;
  };

  /** Hands the filled buffer to the writer thread (which copies it), or writes it here, and starts it over. */
  const rotate = (inPlace = false): void => {
    if (used === 0) return;
    const to = fd();
    if (inPlace) writeAllSync(to, buf, 0, used, at());
    else writer!.write(buf, used, at());
    position += used;
    unreported += used;
    used = 0;
  };

  /** Everything encoded so far is in the file (or the first write error is thrown). */
  const drained = async (): Promise<void> => {
    // Without a thread yet (a small output), the last partial buffer is written here.
    rotate(!writer!.started);
    if (writer!.started) await writer!.settled();
  };

  /**
   * `encode(value, into, offset)`. An element it cannot encode (it throws: a BigInt or a cycle for
   * JSON.stringify, a toJSON that throws, a format giving no string) is rejected: a dead letter with
   * reason `unencodable`, the step and path as its origin, and the run goes on.
   */
  const encodeOrReject = (value: T, into: Buffer, offset: number): number => {
    try {
      return encode(value, into, offset);
    } catch (e) {
      throw new RejectedElementError('unencodable', `step '${step}' cannot encode an element as a line of ${path}: ${e instanceof Error ? e.message : String(e)}`, { step, path });
    }
  };
  /** A file system error of this sink (ENOSPC, EACCES, EIO, ...) as a SinkWriteError naming the step and path; typed errors pass. */
  const sinkError = (e: unknown): unknown => (e instanceof WatershedError ? e : new SinkWriteError(step, path, e));
  /** Runs `f`, which writes or publishes: its file system errors become SinkWriteErrors. */
  const writing = <R>(f: () => R): R => {
    try {
      return f();
    } catch (e) {
      throw sinkError(e);
    }
  };
  const writingAsync = async <R>(f: () => Promise<R>): Promise<R> => {
    try {
      return await f();
    } catch (e) {
      throw sinkError(e);
    }
  };

  return {
    async setup(ctx) {
      checkpointing = ctx.checkpointing;
      step = ctx.step;
      buf = Buffer.allocUnsafe(flushBytes);
      used = 0;
      position = 0;
      if (checkpointing !== undefined) {
        if (!(await isStreamTarget(path))) {
          parts = await writingAsync(() => PartFolder.open(ctx.step, path, checkpointing!.subtask));
          part = undefined;
          partsOpened = 0;
          positional = true;
          writer = new FileWriterThread(-1, flushBytes, SINK_BUFFERS);
          return;
        }
        if (checkpointing.guarantee === 'exactly-once') {
          throw new UnsupportedGuaranteeError(ctx.step, path, 'exactly-once', 'it is a pipe, FIFO, terminal or device, which shows every byte as soon as it is written, so output cannot wait until its checkpoint completes');
        }
      }
      target = await writingAsync(() => openFileSinkTarget(path));
      positional = target.positional;
      writer = new FileWriterThread(target.fd, flushBytes, SINK_BUFFERS, undefined, target.positional ? undefined : Infinity);
    },
    process(value) {
      let end = encodeOrReject(value, buf, used);
      if (end >= 0) {
        used = end;
        return;
      }
      writing(() => rotate());
      end = encodeOrReject(value, buf, 0);
      if (end >= 0) {
        used = end;
        return;
      }
      // A line longer than a buffer: encoded on its own.
      let big = Buffer.allocUnsafe(flushBytes * 2);
      while ((end = encodeOrReject(value, big, 0)) < 0) big = Buffer.allocUnsafe(big.length * 2);
      writing(() => {
        fd();
        writer!.write(big, end, at());
      });
      position += end;
      unreported += end;
    },
    async finishBundle(ctx) {
      await writingAsync(drained);
      if (unreported > 0) ctx.metrics.counter('bytesWritten').inc(unreported);
      unreported = 0;
    },
    async teardown({ outcome }) {
      let failure: unknown;
      try {
        if (writer !== undefined && (target !== undefined || (parts !== undefined && outcome === 'done'))) await drained();
      } catch (e) {
        failure = sinkError(e);
      }
      await writer?.close();
      writer = undefined;
      if (parts !== undefined) {
        // Output is published only by commit. A part written after the last checkpoint is kept hidden
        // after a done run (the next run's recover removes it) and removed otherwise.
        const p = part;
        part = undefined;
        const folder = parts;
        parts = undefined;
        if (p !== undefined) {
          if (outcome === 'done' && failure === undefined) closeSync(p.fd);
          else await folder.discard(p.fd, p.name);
        }
        if (failure !== undefined) throw failure;
        return;
      }
      const t = target;
      target = undefined;
      if (t === undefined) return;
      // Only a run that read and wrote everything publishes its file.
      if (outcome === 'done' && failure === undefined) return writingAsync(() => t.commit());
      await t.abort();
      if (failure !== undefined) throw failure;
    },
    twoPhaseCommit: {
      async preCommit({ seq }): Promise<PartHandle | undefined> {
        await writingAsync(drained);
        // A stream (at-least-once) has been written in order already.
        if (parts === undefined || part === undefined) return undefined;
        const p = part;
        part = undefined;
        const folder = parts;
        const handle = await writingAsync(() => folder.seal(p.fd, p.name, seq, position));
        position = 0;
        if (checkpointing!.guarantee === 'exactly-once') return handle;
        await writingAsync(() => folder.publish(handle));
        return undefined;
      },
      async commit(handle: PartHandle) {
        if (parts === undefined) throw new CheckpointRecoveryError(step, `${path} is not a part folder now, but a checkpoint holds its part ${handle.part}`);
        const folder = parts;
        await writingAsync(() => folder.publish(handle));
      },
      async recover(pending: PartHandle | undefined, ctx) {
        if (parts === undefined) {
          if (pending !== undefined) throw new CheckpointRecoveryError(step, `${path} is not a part folder now, but the checkpoint holds its part ${pending.part}`);
          return;
        }
        await parts.recover(pending, ctx, checkpointing!.runId);
      },
      async abort() {
        used = 0;
        const p = part;
        part = undefined;
        if (p === undefined || parts === undefined) return;
        await writer?.settled().catch(() => undefined);
        await parts.discard(p.fd, p.name);
      },
    },
  };
}
