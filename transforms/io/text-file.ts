/**
 * Text files as input and output: {@link TextFile}.lines, {@link TextFile}.ndjson (unreadable lines are
 * dead letters) and {@link TextFile}.write (an existing file is replaced only once the run succeeded).
 * @module watershed/io/text-file
 */
import { isUtf8 } from 'node:buffer';
import { closeSync } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import type { DoFn } from '../../sdk/dofn.js';
import { CheckpointRecoveryError, SourcePositionError, UnsupportedGuaranteeError } from '../../sdk/errors.js';
import type { CheckpointingInfo } from '../../sdk/io/two-phase-commit.js';
import type { Source, SourceBatch } from '../../sdk/io/source.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import type { PTransform } from '../../sdk/ptransform.js';
import { TIMESTAMP_MIN, type Duration, type Instant } from '../../sdk/time.js';
import { invalidInstantMessage, isValidInstant } from '../../sdk/internal/valid-instant.js';
import { ParDo } from '../par-do.js';
import { isStreamTarget, openFileSinkTarget, type FileSinkTarget } from './file-sink-target.js';
import { PartFolder, type PartHandle } from './part-files.js';
import { FileWriterThread, writeAllSync } from './file-writer-thread.js';
import { Read } from '../read.js';
import { checkResumable, fingerprintFile, type FileFingerprint } from './file-fingerprint.js';
import { InputTruncatedError } from './input-truncated-error.js';
export { InputTruncatedError } from './input-truncated-error.js';
export type { FileFingerprint } from './file-fingerprint.js';

/** The dead-letter reason of a line whose event time is not a valid instant. */
const INVALID_TIMESTAMP = 'invalid-timestamp';

// ---------------------------------------------------------------------------------------------
// Reading lines
// ---------------------------------------------------------------------------------------------

/**
 * One line of a text file: its text (without `\n` / `\r\n`) and its 1-based line number; for a line
 * that is not valid UTF-8, also its `bytes` as read (its text then has U+FFFD where bytes were invalid).
 */
export interface NumberedLine {
  readonly text: string;
  readonly line: number;
  readonly bytes?: Buffer;
}

const CHUNK_BYTES = 256 * 1024;
const EMPTY = Buffer.alloc(0);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Where a {@link LineReader} stands: `byte` is the file offset just after the last line returned
 * (after its `\n`; the file's end for a last line without one), `line` that line's number (0 before
 * any). Plain data: reopening at it continues with line `line + 1`.
 */
export interface LinePosition {
  readonly byte: number;
  readonly line: number;
}

export interface LineReaderOptions {
  /** Continue after this position (a value `position()` returned) instead of the file's start. */
  readonly from?: LinePosition;
  /** Bytes read at a time (default 256 KiB; small values are for tests). */
  readonly chunkBytes?: number;
  /** The step reading the file, named by its errors (default `LineReader`). */
  readonly step?: string;
}

/**
 * Reads a text file line by line in 256 KiB chunks (UTF-8; a leading BOM is dropped; `\r\n` and
 * `\n` both end a line; a last line without terminator still counts). Lines are split on the `\n`
 * byte before decoding (it never occurs inside a multi-byte UTF-8 character), so the reader knows the
 * exact byte offset after every line: {@link position} gives it, and `open(path, { from })` continues
 * there, also in the middle of a file full of multi-byte characters. Holds one chunk plus the lines
 * asked for in memory (and a line longer than a chunk, whole).
 * @example const r = await LineReader.open('flows.ndjson'); const { lines, done } = await r.next(1000); const at = r.position(); await r.close();
 */
export class LineReader {
  private readonly buffer: Buffer;
  /** Bytes of a line not finished in the chunks read so far (a copy), starting at file offset `filePos - carry.length`. */
  private carry: Buffer = EMPTY;
  private ready: string[] = [];
  /** File offset after each ready line. */
  private readyEnd: number[] = [];
  /** The bytes of the ready lines that are not valid UTF-8, by index in `ready`. */
  private readyBytes = new Map<number, Buffer>();
  /** False when the complete lines of the current chunk hold some invalid UTF-8 (then each line is checked). */
  private chunkUtf8 = true;
  private readyPos = 0;
  private eof = false;
  private lineNo: number;
  private byte: number;
  /** File offset of the next read. */
  private filePos: number;
  private bomChecked: boolean;
  private limit: number | undefined;

  private constructor(
    private readonly file: FileHandle,
    private readonly path: string,
    from: LinePosition | undefined,
    chunkBytes: number,
    /** Reads at explicit offsets (resuming) rather than from the file's current offset (which also works for pipes). */
    private readonly positional: boolean,
    private readonly step: string,
  ) {
    this.buffer = Buffer.allocUnsafe(chunkBytes);
    this.byte = this.filePos = from?.byte ?? 0;
    this.lineNo = from?.line ?? 0;
    this.bomChecked = this.byte > 0;
  }

  /**
   * @throws the file system's error (e.g. ENOENT) when the file cannot be opened; RangeError for a
   * `from` that is not a position (non-negative integers). `next` throws InputTruncatedError when a
   * regular file turns out shorter than what was already read of it (truncated while read).
   */
  static async open(path: string, options: LineReaderOptions = {}): Promise<LineReader> {
    const { from, chunkBytes = CHUNK_BYTES, step = 'LineReader' } = options;
    if (from !== undefined && !isLinePosition(from)) throw new RangeError(`not a line position: ${JSON.stringify(from)}`);
    if (!(Number.isInteger(chunkBytes) && chunkBytes >= 1)) throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
    return new LineReader(await open(path, 'r'), path, from, chunkBytes, from !== undefined && from.byte > 0, step);
  }

  /** Up to `max` next lines; `done` once the file is exhausted (the returned lines may still be non-empty). */
  async next(max: number): Promise<{ lines: NumberedLine[]; done: boolean }> {
    const lines: NumberedLine[] = [];
    while (lines.length < max) {
      if (this.readyPos < this.ready.length) {
        const end = this.readyEnd[this.readyPos]!;
        if (this.limit !== undefined && end > this.limit) break;
        const bytes = this.readyBytes.get(this.readyPos);
        const text = this.ready[this.readyPos++]!;
        this.byte = end;
        lines.push(bytes === undefined ? { text, line: ++this.lineNo } : { text, line: ++this.lineNo, bytes });
        continue;
      }
      if (this.eof || (this.limit !== undefined && this.byte >= this.limit)) break;
      await this.fill();
    }
    return { lines, done: this.eof && this.readyPos >= this.ready.length };
  }

  /** After the last line `next` returned: a fresh object. */
  position(): LinePosition {
    return { byte: this.byte, line: this.lineNo };
  }

  /** Returns no line ending after byte `limit` (a position's `byte`) until lifted with undefined. */
  stopAt(limit: number | undefined): void {
    this.limit = limit;
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  private async fill(): Promise<void> {
    const at = this.filePos;
    const { bytesRead } = await this.file.read(this.buffer, 0, this.buffer.length, this.positional ? at : null);
    this.filePos += bytesRead;
    const base = at - this.carry.length;
    this.ready = [];
    this.readyEnd = [];
    this.readyBytes = new Map();
    this.readyPos = 0;
    if (bytesRead === 0) {
      // A regular file shorter than what was read: truncated under the reader, its rest is gone.
      const now = await this.file.stat();
      if (now.isFile() && now.size < this.filePos) throw new InputTruncatedError(this.step, this.path, now.size, this.filePos);
      this.eof = true;
      this.chunkUtf8 = false;
      if (this.carry.length > 0) this.addLine(this.carry, 0, this.carry.length, base + this.carry.length);
      this.carry = EMPTY;
      return;
    }
    const chunk = this.buffer.subarray(0, bytesRead);
    const data = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    let start = 0;
    if (!this.bomChecked) {
      if (data.length < BOM.length && BOM.subarray(0, data.length).equals(data)) {
        this.carry = Buffer.from(data); // maybe the start of a BOM: decide with more bytes
        return;
      }
      this.bomChecked = true;
      if (data.length >= BOM.length && data[0] === BOM[0] && data[1] === BOM[1] && data[2] === BOM[2]) start = BOM.length;
    }
    // One check of all the chunk's complete lines (a `\n` never splits a character); each line only if that fails.
    const last = data.lastIndexOf(10);
    this.chunkUtf8 = last < start || isUtf8(data.subarray(start, last));
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      this.addLine(data, start, nl, base + nl + 1);
      start = nl + 1;
    }
    // The chunk buffer is reused by the next read: keep the unfinished line as a copy.
    this.carry = start >= data.length ? EMPTY : data === chunk ? Buffer.from(data.subarray(start)) : data.subarray(start);
  }

  /** Adds bytes `[from, to)` of `data` (a `\r` before the end dropped) as a line ending at file offset `end`. */
  private addLine(data: Buffer, from: number, to: number, end: number): void {
    const stop = to > from && data[to - 1] === 13 ? to - 1 : to;
    if (!this.chunkUtf8 && !isUtf8(data.subarray(from, stop))) this.readyBytes.set(this.ready.length, Buffer.from(data.subarray(from, stop)));
    this.ready.push(data.toString('utf8', from, stop));
    this.readyEnd.push(end);
  }
}

function isLinePosition(p: unknown): p is LinePosition {
  if (typeof p !== 'object' || p === null) return false;
  const { byte, line } = p as Record<string, unknown>;
  return Number.isSafeInteger(byte) && (byte as number) >= 0 && Number.isSafeInteger(line) && (line as number) >= 0;
}

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
 */
export type LineWatermark = 'end-of-input' | { readonly maxOutOfOrderness: Duration };

/** Counts a line source keeps while it reads (read them after the run). */
export class LineSourceStats {
  lines = 0;
  elements = 0;
  readonly skipped: Record<string, number> = {};
  readonly deadLettered: Record<string, number> = {};
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
  /** Absent for a pipe or device (such a position cannot be resumed from). */
  readonly file?: FileFingerprint;
  readonly mapper?: unknown;
}

/**
 * A bounded Source over the lines of a file, mapped by `map(text, lineNumber)`. Dead letters carry
 * the origin `{ file, line }`. A line that is not valid UTF-8 is a dead letter (`invalid-utf8`, its
 * bytes in the element) unless `invalidUtf8: 'replace'`. Building block of {@link TextFile} and of format-specific readers.
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
  const stats = options.stats ?? new LineSourceStats();
  const mapperState = options.mapperState;
  const keepInvalidUtf8 = options.invalidUtf8 === 'replace';
  return {
    name,
    bounded: true,
    async open(ctx) {
      let maxTs = TIMESTAMP_MIN;
      let file: FileFingerprint | undefined;
      let reader: LineReader;
      if (ctx.resumeFrom === undefined) {
        file = await fingerprintFile(path);
        reader = await LineReader.open(path, { step: ctx.step });
      } else {
        const from = lineSourcePosition(path, ctx.resumeFrom, mapperState !== undefined);
        await checkResumable(path, from.byte, from.file);
        file = from.file;
        maxTs = from.maxTs;
        if (mapperState) {
          try {
            mapperState.restore(from.mapper);
          } catch (e) {
            throw new SourcePositionError(path, 'malformed', `the mapper's saved state was refused: ${(e as Error).message}`);
          }
        }
        reader = await LineReader.open(path, { from, step: ctx.step });
      }
      // For the share read (progress line, dashboard): a regular file's size when opened; none for a pipe.
      const opened = await stat(path);
      const size = opened.isFile() ? opened.size : undefined;
      return {
        async poll(max): Promise<SourceBatch<T>> {
          const { lines, done } = await reader.next(max);
          const elements: { value: T; timestamp: Instant }[] = [];
          const deadLetters: DeadLetter[] = [];
          for (const { text, line, bytes } of lines) {
            stats.lines++;
            if (bytes !== undefined && !keepInvalidUtf8) {
              stats.deadLettered['invalid-utf8'] = (stats.deadLettered['invalid-utf8'] ?? 0) + 1;
              const element: InvalidUtf8Line = { text, value: bytes.toString('base64'), encoding: 'base64' };
              deadLetters.push({ step: ctx.step, reason: 'invalid-utf8', message: `line ${line} is not valid UTF-8 (${bytes.length} bytes, in the element as base64)`, element, origin: { file: path, line } });
              continue;
            }
            const o = map(text, line);
            if (o.kind === 'element') {
              const timestamp = o.timestamp ?? TIMESTAMP_MIN;
              if (!isValidInstant(timestamp)) {
                // NaN, ±Infinity, beyond TIMESTAMP_MIN..MAX: a dead letter with its line, never the watermark's maximum
                stats.deadLettered[INVALID_TIMESTAMP] = (stats.deadLettered[INVALID_TIMESTAMP] ?? 0) + 1;
                deadLetters.push({ step: ctx.step, reason: INVALID_TIMESTAMP, message: invalidInstantMessage(timestamp, 'the timestamp function returned'), element: text, origin: { file: path, line } });
                continue;
              }
              if (timestamp > maxTs) maxTs = timestamp;
              elements.push({ value: o.value, timestamp });
              stats.elements++;
            } else if (o.kind === 'skip') {
              stats.skipped[o.reason] = (stats.skipped[o.reason] ?? 0) + 1;
            } else {
              stats.deadLettered[o.reason] = (stats.deadLettered[o.reason] ?? 0) + 1;
              deadLetters.push({ step: ctx.step, reason: o.reason, message: o.message, element: text, origin: { file: path, line } });
            }
          }
          const watermark = lag === undefined || maxTs === TIMESTAMP_MIN ? TIMESTAMP_MIN : maxTs - lag;
          return deadLetters.length > 0 ? { elements, watermark, done, deadLetters } : { elements, watermark, done };
        },
        position(): LineSourcePosition {
          const { byte, line } = reader.position();
          const p: LineSourcePosition = file === undefined ? { byte, line, maxTs } : { byte, line, maxTs, file };
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
  };
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
   * letter (`invalid-timestamp`, with file and line) and does not move the watermark.
   */
  readonly timestamp?: (value: T, line: number) => Instant | undefined;
}

/**
 * Text files as bounded inputs and as outputs.
 * - `TextFile.lines(path)`: one string per line.
 * - `TextFile.ndjson(path)`: one parsed JSON value per line; lines that are not JSON go to the Read
 *   step's dead-letter output (`pcoll.deadLetters()`) with reason `malformed-json` and origin `{ file, line }`.
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
      (text, line) => (skipBlank && text.trim() === '' ? { kind: 'skip', reason: 'blank' } : { kind: 'element', value: text, timestamp: options.timestamp?.(text, line) }),
      options,
    );
    return Read(source);
  },

  /**
   * One JSON value per line of the file at `path` (`T` names its type; it is not checked). A line that is
   * not JSON goes to the step's `deadLetters()` with reason `malformed-json` and its file and line, and the
   * read goes on.
   * @example p.apply('Views', TextFile.ndjson<View>('views.ndjson', { timestamp: (v) => v.at, watermark: { maxOutOfOrderness: seconds(5) } }))
   */
  ndjson<T = unknown>(path: string, options: TextFileReadOptions<T> = {}): PTransform<Pipeline, PCollection<T>> {
    const skipBlank = options.skipBlankLines ?? true;
    const source = lineSource<T>(
      `Ndjson(${path})`,
      path,
      (text, line) => {
        if (skipBlank && text.trim() === '') return { kind: 'skip', reason: 'blank' };
        let value: T;
        try {
          value = JSON.parse(text) as T;
        } catch (e) {
          return { kind: 'dead', reason: 'malformed-json', message: (e as Error).message };
        }
        return { kind: 'element', value, timestamp: options.timestamp?.(value, line) };
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
   * runner's thread waits. A write error (e.g. ENOSPC) fails the step. The step's user counter
   * `bytesWritten` counts the bytes written. Lines from several windows and panes are written in
   * arrival order.
   *
   * With checkpointing (`--checkpointDir`), `path` on a file system is a folder of part files, one per
   * checkpoint with output (`part-<subtask>-<seq:012><ext>`, read them in name order), each renamed into
   * view only once its checkpoint is durable (two-phase commit with the checkpoints); a `path` that
   * is a file is refused (SinkTargetError). A pipe, FIFO or `/dev/stdout` is refused under exactly-once
   * (UnsupportedGuaranteeError) and written in order under at-least-once.
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
      expand: (input, ctx) => ParDo<T, never>(fileSinkFn(path, encode, flushBytes)).expand(input, ctx),
    };
  },
};

/**
 * Writes one element as one line, `\n` included, into `buf` from `offset`: returns the offset after
 * it, or -1 (having written nothing that matters) when it does not fit before `buf.length`.
 */
export type LineEncoder<T> = (value: T, buf: Buffer, offset: number) => number;

/** The encoder of a line given as text (UTF-8). */
export function stringLineEncoder<T>(format: (value: T) => string): LineEncoder<T> {
  return (value, buf, offset) => {
    const line = format(value);
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

  return {
    async setup(ctx) {
      checkpointing = ctx.checkpointing;
      step = ctx.step;
      buf = Buffer.allocUnsafe(flushBytes);
      used = 0;
      position = 0;
      if (checkpointing !== undefined) {
        if (!(await isStreamTarget(path))) {
          parts = await PartFolder.open(ctx.step, path, checkpointing.subtask);
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
      target = await openFileSinkTarget(path);
      positional = target.positional;
      writer = new FileWriterThread(target.fd, flushBytes, SINK_BUFFERS, undefined, target.positional ? undefined : Infinity);
    },
    process(value) {
      let end = encode(value, buf, used);
      if (end >= 0) {
        used = end;
        return;
      }
      rotate();
      end = encode(value, buf, 0);
      if (end >= 0) {
        used = end;
        return;
      }
      // A line longer than a buffer: encoded on its own.
      let big = Buffer.allocUnsafe(flushBytes * 2);
      while ((end = encode(value, big, 0)) < 0) big = Buffer.allocUnsafe(big.length * 2);
      fd();
      writer!.write(big, end, at());
      position += end;
      unreported += end;
    },
    async finishBundle(ctx) {
      await drained();
      if (unreported > 0) ctx.metrics.counter('bytesWritten').inc(unreported);
      unreported = 0;
    },
    async teardown({ outcome }) {
      let failure: unknown;
      try {
        if (writer !== undefined && (target !== undefined || (parts !== undefined && outcome === 'done'))) await drained();
      } catch (e) {
        failure = e;
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
      if (outcome === 'done' && failure === undefined) return t.commit();
      await t.abort();
      if (failure !== undefined) throw failure;
    },
    twoPhaseCommit: {
      async preCommit({ seq }): Promise<PartHandle | undefined> {
        await drained();
        // A stream (at-least-once) has been written in order already.
        if (parts === undefined || part === undefined) return undefined;
        const p = part;
        part = undefined;
        const handle = await parts.seal(p.fd, p.name, seq, position);
        position = 0;
        if (checkpointing!.guarantee === 'exactly-once') return handle;
        await parts.publish(handle);
        return undefined;
      },
      async commit(handle: PartHandle) {
        if (parts === undefined) throw new CheckpointRecoveryError(step, `${path} is not a part folder now, but a checkpoint holds its part ${handle.part}`);
        await parts.publish(handle);
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
