/**
 * Reading a text file line by line from a position, with the position after each line: what
 * `lineSource` (watershed/io/text-file) runs on. Internal to the package (not exported by an entry point).
 */
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { descriptorOf } from './descriptor-path.js';
import { InputTruncatedError } from './input-truncated-error.js';
import { socketReadHandle, type ReadHandle } from './socket-read-handle.js';

/**
 * One line of a text file: its text (without `\n` / `\r\n`) and its 1-based line number; for a line
 * that is not valid UTF-8, also its `bytes` as read (its text then has U+FFFD where bytes were invalid).
 * `partial: true` marks the file's last bytes when they have no line end and the file grew while it
 * was read: a line still being written, not a record (see {@link LineReader}).
 */
export interface NumberedLine {
  readonly text: string;
  readonly line: number;
  readonly bytes?: Buffer;
  readonly partial?: true;
}

const CHUNK_BYTES = 256 * 1024;
const EMPTY = Buffer.alloc(0);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Where a line reader stands: `byte` is the file offset just after the last line returned
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
 *
 * A regular file is read to its end as the reader finds it (lines appended meanwhile are read too).
 * There, a last line without `\n` is a line when the file still has the size it had when the reader
 * opened it (a file that does not end in a newline); when the file grew since (a writer is
 * appending), it is a line still being written, given with `partial: true` so that it is never taken
 * for a complete record. Limit: a file whose writer is in the middle of a line when the reader opens
 * it, and writes nothing more until the reader is done, cannot be told from a finished file.
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
  /** Index in `ready` of a partial last line (see {@link NumberedLine}), -1 when none. */
  private readyPartial = -1;

  private constructor(
    private readonly file: ReadHandle,
    private readonly path: string,
    from: LinePosition | undefined,
    chunkBytes: number,
    /** Reads at explicit offsets (resuming) rather than from the file's current offset (which also works for pipes). */
    private readonly positional: boolean,
    private readonly step: string,
    /** A regular file's size when opened (undefined for a pipe or device). */
    private readonly sizeAtOpen: number | undefined,
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
    const file = await openForReading(path);
    try {
      const opened = await file.stat();
      return new LineReader(file, path, from, chunkBytes, from !== undefined && from.byte > 0, step, opened.isFile() ? opened.size : undefined);
    } catch (e) {
      await file.close();
      throw e;
    }
  }

  /** Up to `max` next lines; `done` once the file is exhausted (the returned lines may still be non-empty). */
  async next(max: number): Promise<{ lines: NumberedLine[]; done: boolean }> {
    const lines: NumberedLine[] = [];
    while (lines.length < max) {
      if (this.readyPos < this.ready.length) {
        const end = this.readyEnd[this.readyPos]!;
        if (this.limit !== undefined && end > this.limit) break;
        const bytes = this.readyBytes.get(this.readyPos);
        const partial = this.readyPos === this.readyPartial;
        const text = this.ready[this.readyPos++]!;
        this.byte = end;
        const line = ++this.lineNo;
        const numbered: NumberedLine = bytes === undefined ? { text, line } : { text, line, bytes };
        lines.push(partial ? { ...numbered, partial: true } : numbered);
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
    this.readyPartial = -1;
    if (bytesRead === 0) {
      const now = await this.file.stat();
      if (now.isFile()) {
        // A regular file shorter than what was read: truncated under the reader, its rest is gone.
        if (now.size < this.filePos) throw new InputTruncatedError(this.step, this.path, now.size, this.filePos);
        // Grown since the read that found the end: read on (next() calls fill again).
        if (now.size > this.filePos) return;
      }
      this.eof = true;
      this.chunkUtf8 = false;
      if (this.carry.length > 0) {
        // No line end at the end: a last line, unless the file grew while read (then its writer is in the middle of it).
        if (now.isFile() && this.sizeAtOpen !== undefined && now.size !== this.sizeAtOpen) this.readyPartial = this.ready.length;
        this.addLine(this.carry, 0, this.carry.length, base + this.carry.length);
      }
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

/**
 * Opens `path` to read. A descriptor path (`/dev/stdin`, `/dev/fd/<n>`) whose descriptor is a socket cannot be
 * opened (ENXIO): that descriptor is read as a stream instead.
 */
async function openForReading(path: string): Promise<ReadHandle> {
  try {
    return await open(path, 'r');
  } catch (e) {
    const fd = descriptorOf(path);
    if ((e as NodeJS.ErrnoException).code === 'ENXIO' && fd !== undefined) return socketReadHandle(fd);
    throw e;
  }
}

export function isLinePosition(p: unknown): p is LinePosition {
  if (typeof p !== 'object' || p === null) return false;
  const { byte, line } = p as Record<string, unknown>;
  return Number.isSafeInteger(byte) && (byte as number) >= 0 && Number.isSafeInteger(line) && (line as number) >= 0;
}
