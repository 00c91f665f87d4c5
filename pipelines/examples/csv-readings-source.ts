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
// Read step's dead-letter output with its reason and its file and line.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
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
 * (the watermark follows it). Plain data, so the runner can store it in a checkpoint.
 */
export interface CsvReadingsPosition {
  readonly line: number;
  readonly maxTs: Instant;
}

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
    // A small file is read whole; a big one would be read in chunks (TextFile does).
    const lines = (await readFile(this.path, 'utf8')).split('\n');
    // Resuming from a checkpoint: go on right after the stored position.
    const from = ctx.resumeFrom === undefined ? { line: 1, maxTs: TIMESTAMP_MIN } : this.checkPosition(ctx.resumeFrom, lines.length);
    let next = from.line; // line 0 is the header
    let maxTs = from.maxTs;
    let limit = Number.POSITIVE_INFINITY; // set by stopAt
    const file = this.path;
    const lag = this.maxOutOfOrderness;

    return {
      async poll(maxElements: number): Promise<SourceBatch<Reading>> {
        const elements: TimestampedValue<Reading>[] = [];
        const deadLetters: DeadLetter[] = [];
        while (next < lines.length && next < limit && elements.length + deadLetters.length < maxElements) {
          const text = lines[next++]!;
          if (text.trim() === '') continue; // (the end of the last line)
          const parsed = parseReading(text);
          if (typeof parsed === 'string') {
            // Never dropped silently, and never moves the watermark (`next` is now this line's number, from 1).
            deadLetters.push({ step: ctx.step, reason: 'malformed-reading', message: parsed, element: text, origin: { file, line: next } });
            continue;
          }
          maxTs = Math.max(maxTs, parsed.timestamp);
          elements.push(parsed);
        }
        return {
          elements,
          deadLetters,
          watermark: maxTs === TIMESTAMP_MIN ? TIMESTAMP_MIN : maxTs - lag,
          done: next >= lines.length, // the runner then moves the watermark to the end of time
        };
      },
      // What `poll` has handed out so far: a fresh plain object each time.
      position: (): CsvReadingsPosition => ({ line: next, maxTs }),
      // Hand out nothing past `p` until the limit is lifted (undefined).
      stopAt(p: unknown) {
        limit = p === undefined ? Number.POSITIVE_INFINITY : (p as CsvReadingsPosition).line;
      },
      async close() {},
    };
  }

  private checkPosition(p: unknown, lineCount: number): CsvReadingsPosition {
    const { line, maxTs } = (p ?? {}) as Partial<CsvReadingsPosition>;
    if (!Number.isSafeInteger(line) || typeof maxTs !== 'number') throw new SourcePositionError(this.path, 'malformed', `not a CsvReadings position: ${JSON.stringify(p)}`);
    if (line! > lineCount) throw new SourcePositionError(this.path, 'truncated', `the file has ${lineCount} lines, the position is at line ${line}`);
    return { line: line!, maxTs };
  }
}

/** One reading with its event time, or why the line is not one. */
function parseReading(text: string): TimestampedValue<Reading> | string {
  const fields = text.split(',');
  if (fields.length !== 3) return `expected 3 fields (sensor,time,celsius), got ${fields.length}`;
  const [sensor, time, celsius] = fields.map((f) => f.trim()) as [string, string, string];
  const timestamp = Date.parse(time);
  if (!Number.isFinite(timestamp)) return `unreadable time '${time}'`;
  const value = Number(celsius);
  if (celsius === '' || !Number.isFinite(value)) return `unreadable temperature '${celsius}'`;
  return { value: { sensor, celsius: value }, timestamp };
}
