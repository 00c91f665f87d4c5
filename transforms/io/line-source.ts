import { constants } from 'node:buffer';
import { stat } from 'node:fs/promises';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import { SourcePositionError } from '../../sdk/errors.js';
import { DEFAULT_MAX_FORWARD_JUMP, ForwardJumpGuard } from '../../sdk/io/forward-jump-guard.js';
import type { Source, SourceBatch } from '../../sdk/io/source.js';
import { TIMESTAMP_MIN, type Instant } from '../../sdk/time.js';
import { invalidInstantMessage, isValidInstant } from '../../sdk/internal/valid-instant.js';
import { declareInputFile } from '../../sdk/internal/output-targets.js';
import { checkResumable, fingerprintFile, type FileFingerprint } from './file-fingerprint.js';
import { isLinePosition, LineReader } from './line-reader.js';
import { describeThrown } from './user-code-error.js';
import { INVALID_TIMESTAMP, LINE_TOO_LONG, MAPPER_ERROR, PARTIAL_LINE, type InvalidUtf8Line, type TooLongLineElement } from './line-dead-letters.js';
import { LineSourceStats, type LineOutcome, type LineSourceOptions, type LineSourcePosition } from './line-source-options.js';

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
