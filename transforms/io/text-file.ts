/**
 * Text files as input and output: {@link TextFile}.lines, {@link TextFile}.ndjson (unreadable lines are
 * dead letters) and {@link TextFile}.write (an existing file is replaced only once the run succeeded).
 * @module watershed/io/text-file
 */
import { SinkTargetError } from '../../sdk/errors.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import type { PTransform } from '../../sdk/ptransform.js';
import type { Instant } from '../../sdk/time.js';
import { declareOutputTarget } from '../../sdk/internal/output-targets.js';
import { ParDo } from '../par-do.js';
import { Read } from '../read.js';
import { NAMES_DIRECTORY, namesDirectory } from './file-sink-target.js';
import type { FileOutputSet } from './file-output-set.js';
import { fileSinkFn } from './file-sink.js';
import { stringLineEncoder, type LineEncoder } from './line-encoder.js';
import { lineSource } from './line-source.js';
import type { LineOutcome, LineSourceOptions } from './line-source-options.js';
import { PartFolder } from './part-files.js';
import { isInside, sameFile } from './same-file.js';
import { callTimestamp, threw } from './user-code-error.js';
import { parseJsonExact } from './exact-json.js';
export { InputTruncatedError } from './input-truncated-error.js';
export type { FileFingerprint } from './file-fingerprint.js';
export type { LinePosition } from './line-reader.js';
export { lineSource } from './line-source.js';
export { LineSourceStats } from './line-source-options.js';
export type { LineMapperState, LineOutcome, LineSourceOptions, LineSourcePosition, LineWatermark } from './line-source-options.js';
export type { InvalidUtf8Line, TooLongLineElement } from './line-dead-letters.js';
export { stringLineEncoder } from './line-encoder.js';
export type { LineEncoder } from './line-encoder.js';
export { FileOutputSet } from './file-output-set.js';

/** Options of {@link TextFile}.write. */
export interface TextFileWriteOptions {
  /**
   * Without checkpointing: the set the regular file joins when the run ends, instead of being renamed
   * into place on its own; the caller publishes the set (see {@link FileOutputSet}).
   */
  readonly publishWith?: FileOutputSet;
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
        const parsed = parseJsonExact(text);
        if (!parsed.ok) return { kind: 'dead', reason: parsed.reason, message: parsed.reason === 'too-deep' ? `${parsed.message}: it would overflow the stack of whatever reads the value` : parsed.message };
        return withTimestamp(parsed.value as T, line, options.timestamp);
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
   *
   * `options.publishWith` (without checkpointing): the regular file is not renamed when the run ends
   * but flushed and added to that {@link FileOutputSet}, which the caller publishes once every output
   * of the run is complete (or discards after a failure), so the run's files are replaced together or
   * not at all.
   */
  write<T>(path: string, format: (value: T) => string = (v) => JSON.stringify(v), flushBytes = 1 << 20, options: TextFileWriteOptions = {}): PTransform<PCollection<T>, PCollection<never>> {
    return TextFile.writeEncoded(path, stringLineEncoder(format), flushBytes, options);
  },

  /**
   * Like {@link TextFile.write}, with an encoder that writes each line's bytes (and its `\n`)
   * straight into the sink's buffer: for hot outputs, where building a string per line and then
   * copying it is the main cost.
   */
  writeEncoded<T>(path: string, encode: LineEncoder<T>, flushBytes = 1 << 20, options: TextFileWriteOptions = {}): PTransform<PCollection<T>, PCollection<never>> {
    if (!(Number.isInteger(flushBytes) && flushBytes >= 1)) throw new RangeError(`flushBytes must be a positive integer, got ${flushBytes}`);
    return {
      name: 'TextFile.write',
      expand: (input, ctx) => {
        // Checked by Pipeline.start before the run: no other sink onto this file, no file where the part folder must go.
        const fn = declareOutputTarget(fileSinkFn(path, encode, flushBytes, options.publishWith), {
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
