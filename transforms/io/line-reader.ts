/**
 * Reading a text file line by line from a position, with the position after each line: what
 * `lineSource` (watershed/io/text-file) runs on. Internal to the package (not exported by an entry point).
 */
import { constants, isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { descriptorOf } from './descriptor-path.js';
import { InputTruncatedError } from './input-truncated-error.js';
import { socketReadHandle, type ReadHandle } from './socket-read-handle.js';

/**
 * One line of a text file: its text (without `\n` / `\r\n`) and its 1-based line number; for a line
 * that is not valid UTF-8, also its `bytes` as read (its text then has U+FFFD where bytes were invalid).
 * `partial: true` marks the file's last bytes when they have no line end and the file grew while it
 * was read: a line still being written, not a record (see {@link LineReader}). `tooLong` marks a line
 * longer than the reader's `maxLineBytes`: its text is then only its first bytes (see {@link TooLongLine}).
 */
export interface NumberedLine {
  readonly text: string;
  readonly line: number;
  readonly bytes?: Buffer;
  readonly partial?: true;
  readonly tooLong?: TooLongLine;
}

/**
 * Where a line too long to read is: `bytes` of it (without its line end) from file offset `from`.
 * Such a line is never held whole: its {@link NumberedLine} text is its first
 * min(`maxLineBytes`, 1 KiB) bytes, decoded (a character cut at the end shows as U+FFFD).
 */
export interface TooLongLine {
  readonly bytes: number;
  readonly from: number;
}

const CHUNK_BYTES = 256 * 1024;
/** The most of a too-long line's first bytes kept for its {@link NumberedLine} text. */
const HEAD_BYTES = 1024;
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
  /**
   * The longest line read as text, in bytes (default and most: `buffer.constants.MAX_STRING_LENGTH`,
   * about 512 MiB, the longest string there can be). A longer line is given as `tooLong`.
   */
  readonly maxLineBytes?: number;
}

/**
 * Reads a text file line by line in 256 KiB chunks (UTF-8; a leading BOM is dropped; `\r\n` and
 * `\n` both end a line; a last line without terminator still counts). Lines are split on the `\n`
 * byte before decoding (it never occurs inside a multi-byte UTF-8 character), so the reader knows the
 * exact byte offset after every line: {@link position} gives it, and `open(path, { from })` continues
 * there, also in the middle of a file full of multi-byte characters. Holds one chunk plus the lines
 * asked for in memory (and a line longer than a chunk, whole, its chunks joined once when it ends: linear
 * in its length). A line longer than `maxLineBytes` (default: the longest string there can be) is not
 * held: it is given with `tooLong` (its length and offset) and only its first bytes as text, and the
 * lines after it are read as usual.
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
  /** Bytes of the line not finished in the chunks read so far (copies, in order; only its head once it is too long). */
  private carry: Buffer[] = [];
  /** Bytes in `carry`. */
  private carryBytes = 0;
  /** Bytes of the unfinished line read so far (more than `carryBytes` once it is too long). */
  private lineBytes = 0;
  /** File offset of the unfinished line's first byte. */
  private lineStart: number;
  /** The unfinished line is longer than `maxLineBytes`: `carry` holds its head only. */
  private overlong = false;
  /** The unfinished line's last byte read (a `\r` there is the line end's), -1 before any. */
  private lastByte = -1;
  private readonly headBytes: number;
  private ready: string[] = [];
  /** File offset after each ready line. */
  private readyEnd: number[] = [];
  /** The bytes of the ready lines that are not valid UTF-8, by index in `ready`. */
  private readyBytes = new Map<number, Buffer>();
  /** The ready lines that are too long, by index in `ready`. */
  private readyTooLong = new Map<number, TooLongLine>();
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
    private readonly maxLineBytes: number,
  ) {
    this.buffer = Buffer.allocUnsafe(chunkBytes);
    this.headBytes = Math.min(maxLineBytes, HEAD_BYTES);
    this.byte = this.filePos = this.lineStart = from?.byte ?? 0;
    this.lineNo = from?.line ?? 0;
    this.bomChecked = this.byte > 0;
  }

  /**
   * @throws the file system's error (e.g. ENOENT) when the file cannot be opened; RangeError for a
   * `from` that is not a position (non-negative integers), or a `chunkBytes` or `maxLineBytes` that is
   * not an integer >= 1 (`maxLineBytes` at most `buffer.constants.MAX_STRING_LENGTH`). `next` throws InputTruncatedError when a
   * regular file turns out shorter than what was already read of it (truncated while read).
   */
  static async open(path: string, options: LineReaderOptions = {}): Promise<LineReader> {
    const { from, chunkBytes = CHUNK_BYTES, step = 'LineReader', maxLineBytes = constants.MAX_STRING_LENGTH } = options;
    if (from !== undefined && !isLinePosition(from)) throw new RangeError(`not a line position: ${JSON.stringify(from)}`);
    if (!(Number.isInteger(chunkBytes) && chunkBytes >= 1)) throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
    if (!(Number.isInteger(maxLineBytes) && maxLineBytes >= 1 && maxLineBytes <= constants.MAX_STRING_LENGTH)) {
      throw new RangeError(`maxLineBytes must be an integer in 1..${constants.MAX_STRING_LENGTH} (the longest string), got ${maxLineBytes}`);
    }
    const file = await openForReading(path);
    try {
      const opened = await file.stat();
      return new LineReader(file, path, from, chunkBytes, from !== undefined && from.byte > 0, step, opened.isFile() ? opened.size : undefined, maxLineBytes);
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
        const tooLong = this.readyTooLong.get(this.readyPos);
        const partial = this.readyPos === this.readyPartial;
        const text = this.ready[this.readyPos++]!;
        this.byte = end;
        const line = ++this.lineNo;
        let numbered: NumberedLine = bytes === undefined ? { text, line } : { text, line, bytes };
        if (tooLong !== undefined) numbered = { ...numbered, tooLong };
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
    const { bytesRead } = await this.file.read(this.buffer, 0, this.buffer.length, this.positional ? this.filePos : null);
    this.filePos += bytesRead;
    this.ready = [];
    this.readyEnd = [];
    this.readyBytes = new Map();
    this.readyTooLong = new Map();
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
      if (this.lineBytes > 0) {
        // No line end at the end: a last line, unless the file grew while read (then its writer is in the middle of it).
        if (now.isFile() && this.sizeAtOpen !== undefined && now.size !== this.sizeAtOpen) this.readyPartial = this.ready.length;
        this.endLine(EMPTY, 0, 0, this.lineStart + this.lineBytes);
      }
      return;
    }
    let chunk = this.buffer.subarray(0, bytesRead);
    let start = 0;
    if (!this.bomChecked) {
      // The file's first bytes (with the fewer than 3 carried: maybe the start of a BOM).
      const data = this.carryBytes === 0 ? chunk : Buffer.concat([...this.carry, chunk]);
      if (data.length < BOM.length && BOM.subarray(0, data.length).equals(data)) {
        this.clearLine(this.lineStart);
        this.carryOn(Buffer.from(data), 0, data.length); // decide with more bytes
        return;
      }
      this.bomChecked = true;
      this.clearLine(this.lineStart); // `data` holds what was carried
      chunk = data;
      if (data.length >= BOM.length && data[0] === BOM[0] && data[1] === BOM[1] && data[2] === BOM[2]) {
        start = BOM.length;
        this.lineStart += BOM.length;
      }
    }
    /** File offset of `chunk[0]`. */
    const base = this.filePos - chunk.length;
    const first = chunk.indexOf(10, start);
    if (first < 0) {
      this.carryOn(chunk, start, chunk.length);
      return;
    }
    // The carried line ends here: its parts are joined once, now (joining them at every chunk was quadratic).
    this.endLine(chunk, start, first, base + first + 1);
    start = first + 1;
    // One check of the chunk's other complete lines (a `\n` never splits a character); each line only if that fails.
    const last = chunk.lastIndexOf(10);
    const valid = last <= start || isUtf8(chunk.subarray(start, last));
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      if (nl - start > this.maxLineBytes && this.contentBytes(chunk[nl - 1]!, nl - start) > this.maxLineBytes) {
        this.addTooLong(chunk.subarray(start, start + this.headBytes), this.contentBytes(chunk[nl - 1]!, nl - start), base + start, base + nl + 1);
      } else {
        this.addLine(chunk, start, nl, base + nl + 1, valid);
      }
      start = nl + 1;
    }
    this.lineStart = base + start;
    this.carryOn(chunk, start, chunk.length);
  }

  /** Bytes `[from, to)` of `chunk` continue the unfinished line: kept as a copy (the chunk buffer is reused), or only counted once the line is too long. */
  private carryOn(chunk: Buffer, from: number, to: number): void {
    const n = to - from;
    if (n === 0) return;
    this.lastByte = chunk[to - 1]!;
    this.lineBytes += n;
    if (this.overlong) return;
    // One byte of slack: a `\r` ending it may yet be the line end's.
    if (this.lineBytes > this.maxLineBytes + 1) {
      const head = this.head(chunk, from, to);
      this.carry = [head];
      this.carryBytes = head.length;
      this.overlong = true;
      return;
    }
    this.carry.push(Buffer.from(chunk.subarray(from, to)));
    this.carryBytes += n;
  }

  /** The unfinished line, ended by bytes `[from, to)` of `chunk`, becomes a ready line ending at file offset `end`. */
  private endLine(chunk: Buffer, from: number, to: number, end: number): void {
    const total = this.lineBytes + (to - from);
    const content = this.contentBytes(to > from ? chunk[to - 1]! : this.lastByte, total);
    if (this.overlong || content > this.maxLineBytes) {
      this.addTooLong(this.head(chunk, from, to), content, this.lineStart, end);
    } else if (this.carryBytes === 0) {
      this.addLine(chunk, from, to, end, false);
    } else {
      const data = Buffer.concat([...this.carry, chunk.subarray(from, to)]);
      this.addLine(data, 0, data.length, end, false);
    }
    this.clearLine(end);
  }

  /** No unfinished line; the next starts at file offset `start`. */
  private clearLine(start: number): void {
    this.carry = [];
    this.carryBytes = 0;
    this.lineBytes = 0;
    this.overlong = false;
    this.lastByte = -1;
    this.lineStart = start;
  }

  /** A line's length without its `\r\n` line end: `bytes` before the `\n`, its last one `last`. */
  private contentBytes(last: number, bytes: number): number {
    return last === 13 ? bytes - 1 : bytes;
  }

  /** The first `headBytes` of the carried bytes followed by `[from, to)` of `chunk`, as a copy. */
  private head(chunk: Buffer, from: number, to: number): Buffer {
    const out = Buffer.allocUnsafe(Math.min(this.headBytes, this.carryBytes + (to - from)));
    let n = 0;
    for (const part of [...this.carry, chunk.subarray(from, to)]) {
      if (n >= out.length) break;
      n += part.copy(out, n, 0, Math.min(part.length, out.length - n));
    }
    return out;
  }

  /** Adds a too-long line of `bytes` from file offset `from` (its text: `head` decoded) ending at file offset `end`. */
  private addTooLong(head: Buffer, bytes: number, from: number, end: number): void {
    this.readyTooLong.set(this.ready.length, { bytes, from });
    this.ready.push(head.toString('utf8'));
    this.readyEnd.push(end);
  }

  /** Adds bytes `[from, to)` of `data` (a `\r` before the end dropped) as a line ending at file offset `end`; `valid`: known to be UTF-8. */
  private addLine(data: Buffer, from: number, to: number, end: number, valid: boolean): void {
    const stop = to > from && data[to - 1] === 13 ? to - 1 : to;
    if (!valid && !isUtf8(data.subarray(from, stop))) this.readyBytes.set(this.ready.length, Buffer.from(data.subarray(from, stop)));
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
