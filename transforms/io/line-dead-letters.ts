/**
 * The dead letters of a line source (see `lineSource`): the reasons it gives them and the elements it
 * puts in them for lines it cannot give as text (too long, not valid UTF-8).
 */

/** The dead-letter reason of a line whose event time is not a valid instant. */
export const INVALID_TIMESTAMP = 'invalid-timestamp';
/** The dead-letter reason of a last line still being written when the read got to the file's end. */
export const PARTIAL_LINE = 'partial-line';
/** The dead-letter reason of a line on which the source's mapper threw. */
export const MAPPER_ERROR = 'mapper-error';
/** The dead-letter reason of a line longer than `maxLineBytes`. */
export const LINE_TOO_LONG = 'line-too-long';

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
