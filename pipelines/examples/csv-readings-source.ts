// A custom Source: temperature readings from a CSV file (`sensor,time,celsius`, one header line).
// Used by custom-source.ts; see there for how to run it.
//
// A Source is two small interfaces from watershed/sdk:
// - `Source<T>`: a name, whether the input ends (`bounded`), and `open`, which the runner calls once
//   per run and which returns a reader;
// - `SourceReader<T>`: `poll` hands out the next elements with their event times and the watermark
//   (a promise that no later element is older, apart from late data), `close` releases what `open`
//   took. Optional: `position` (where the read stands, stored in checkpoints) and `stopAt` (the
//   micro-batch runner replays a batch up to a stored position).
// The runner pulls: it polls only when it has room downstream, which is how backpressure reaches
// the source. A line that cannot be read is not dropped and does not stop the run: it goes to the
// Read step's dead-letter output with its reason and its file and line: a line that is not valid
// UTF-8 (with its exact bytes), a first line that is not the header, a time that is not an ISO-8601
// date-time with its zone (`Date.parse` alone reads '1' as the year 2001 and Feb 30 as Mar 2), a
// temperature that is not a decimal number. One reading dated far ahead does not move the watermark
// (a ForwardJumpGuard holds it until a second reading confirms the jump).
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  ForwardJumpGuard,
  SourcePositionError,
  TIMESTAMP_MIN,
  type DeadLetter,
  type Duration,
  type Instant,
  type Source,
  type SourceBatch,
  type SourceContext,
  type SourceReader,
  type TimestampedValue,
} from 'watershed/sdk';

export interface Reading {
  readonly sensor: string;
  readonly celsius: number;
}

/**
 * Where a read of the file stands: the index of the next line, and the newest event time so far
 * (the watermark follows it; `secondTs`, the second newest, while the newest is held as a jump).
 * Plain data, so the runner can store it in a checkpoint.
 */
export interface CsvReadingsPosition {
  readonly line: number;
  readonly maxTs: Instant;
  readonly secondTs?: Instant;
}

/** The first line of a readings file. */
const HEADER = 'sensor,time,celsius';

/**
 * Reads `path`, a small CSV file of readings, as a bounded input. The watermark trails the newest
 * reading by `maxOutOfOrderness`, so readings up to that much out of order are on time.
 * @example p.apply('Readings', Read(new CsvReadings('readings.csv', minutes(5))))
 */
export class CsvReadings implements Source<Reading> {
  readonly name: string;
  readonly bounded = true; // the file ends; an unbounded source would poll for more, forever

  constructor(
    readonly path: string,
    readonly maxOutOfOrderness: Duration = 0,
  ) {
    this.name = `CsvReadings(${basename(path)})`;
  }

  /** @throws SourcePositionError when asked to resume from a position that is not this file's. */
  async open(ctx: SourceContext): Promise<SourceReader<Reading>> {
    // A small file is read whole; a big one would be read in chunks (TextFile does). Lines are split
    // on the '\n' byte and each checked to be UTF-8: decoding the whole file would turn every invalid
    // byte into U+FFFD, making different sensors one.
    const lines = splitLines(await readFile(this.path));
    // Resuming from a checkpoint: go on right after the stored position.
    const from = ctx.resumeFrom === undefined ? { line: 0, maxTs: TIMESTAMP_MIN } : this.checkPosition(ctx.resumeFrom, lines.length);
    let next = from.line;
    // The newest event time, unless one reading jumps more than an hour ahead of all others.
    const guard = new ForwardJumpGuard();
    guard.restore(from.maxTs, from.secondTs);
    let limit = Number.POSITIVE_INFINITY; // set by stopAt
    const file = this.path;
    const lag = this.maxOutOfOrderness;

    return {
      async poll(maxElements: number): Promise<SourceBatch<Reading>> {
        const elements: TimestampedValue<Reading>[] = [];
        const deadLetters: DeadLetter[] = [];
        while (next < lines.length && next < limit && elements.length + deadLetters.length < maxElements) {
          const line = lines[next++]!;
          // Never dropped silently, and never moves the watermark (`next` is now this line's number, from 1).
          const dead = (reason: string, message: string, element: unknown = line): number => deadLetters.push({ step: ctx.step, reason, message, element, origin: { file, line: next } });
          if (typeof line !== 'string') {
            dead('invalid-utf8', `not valid UTF-8 (${line.length} bytes, in the element as base64)`, line.toString('base64'));
            continue;
          }
          if (next === 1) {
            // Only the header itself is skipped: a file without one (or with '\r' line ends only) is not lost.
            if (line.replace(/^\uFEFF/, '').trim() !== HEADER) dead('missing-header', `the first line is not the header '${HEADER}'`);
            continue;
          }
          if (line.trim() === '') continue; // (the end of the last line, or a blank line)
          const parsed = parseReading(line);
          if (typeof parsed === 'string') {
            dead('malformed-reading', parsed);
            continue;
          }
          guard.observe(parsed.timestamp);
          elements.push(parsed);
        }
        const confirmed = guard.confirmed();
        return {
          elements,
          deadLetters,
          watermark: confirmed === TIMESTAMP_MIN ? TIMESTAMP_MIN : confirmed - lag,
          done: next >= lines.length, // the runner then moves the watermark to the end of time
        };
      },
      // What `poll` has handed out so far: a fresh plain object each time.
      position: (): CsvReadingsPosition => ({ line: next, ...guard.top() }),
      // Hand out nothing past `p` until the limit is lifted (undefined).
      stopAt(p: unknown) {
        limit = p === undefined ? Number.POSITIVE_INFINITY : (p as CsvReadingsPosition).line;
      },
      async close() {},
    };
  }

  private checkPosition(p: unknown, lineCount: number): CsvReadingsPosition {
    const { line, maxTs, secondTs } = (p ?? {}) as Partial<CsvReadingsPosition>;
    if (!Number.isSafeInteger(line) || line! < 0 || typeof maxTs !== 'number' || (secondTs !== undefined && typeof secondTs !== 'number')) throw new SourcePositionError(this.path, 'malformed', `not a CsvReadings position: ${JSON.stringify(p)}`);
    if (line! > lineCount) throw new SourcePositionError(this.path, 'truncated', `the file has ${lineCount} lines, the position is at line ${line}`);
    return secondTs === undefined ? { line: line!, maxTs } : { line: line!, maxTs, secondTs };
  }
}

/** The file's lines, split on the '\n' byte: the text of each (a '\r' before the '\n' dropped), or its bytes when they are not valid UTF-8. */
function splitLines(bytes: Buffer): (string | Buffer)[] {
  const lines: (string | Buffer)[] = [];
  for (let start = 0; start <= bytes.length; ) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    const line = bytes.subarray(start, end > start && bytes[end - 1] === 13 ? end - 1 : end);
    lines.push(isUtf8(line) ? line.toString('utf8') : Buffer.from(line));
    start = end + 1;
  }
  return lines;
}

/** An ISO-8601 date-time with its zone: `2026-01-01T09:01:00Z`, `2026-01-01T10:01+01:00`. */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;
/** A decimal number: `21`, `-4.5`, `.5`, `1e2` (not hex, not `Infinity`, not blank). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The instant `text` names, or NaN when it is not an ISO-8601 date-time with its zone, or names no real date or time. */
function parseTime(text: string): number {
  const m = ISO_TIME.exec(text);
  if (m === null) return Number.NaN;
  const [year, month, day, hour, minute, second = 0, zoneHours = 0, zoneMinutes = 0] = m.slice(1).map((f) => (f === undefined ? undefined : Number(f))) as number[];
  const daysInMonth = new Date(Date.UTC(2000, month!, 0)).getUTCDate() - (month === 2 && !isLeapYear(year!) ? 1 : 0);
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth || hour! > 23 || minute! > 59 || second > 59 || zoneHours > 23 || zoneMinutes > 59) return Number.NaN;
  return Date.parse(text);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** One reading with its event time, or why the line is not one. */
function parseReading(text: string): TimestampedValue<Reading> | string {
  const fields = text.split(',');
  if (fields.length !== 3) return `expected 3 fields (sensor,time,celsius), got ${fields.length}`;
  const [sensor, time, celsius] = fields.map((f) => f.trim()) as [string, string, string];
  const timestamp = parseTime(time);
  if (!Number.isFinite(timestamp)) return `unreadable time '${time}'`;
  const value = Number(celsius);
  if (!DECIMAL.test(celsius) || !Number.isFinite(value)) return `unreadable temperature '${celsius}'`;
  return { value: { sensor, celsius: value }, timestamp };
}
