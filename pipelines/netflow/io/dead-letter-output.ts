import type { DeadLetter } from '../../../sdk/dead-letter.js';
import { isSourcedLine, type LineOrigin } from '../sourced-line.js';

/** Characters of a raw record kept in a dead-letter output record; longer ones are shortened, saying so. */
export const MAX_RAW_CHARS = 4000;
/** Characters of a message kept (a parser's message may quote its input). */
export const MAX_MESSAGE_CHARS = 1000;

/**
 * One line of `--deadLetters`: a record rejected anywhere in the Netflow app (unreadable at the
 * source, rejected by DropIPv6 or Parse, or failing user code), as plain JSON.
 * - `origin`: `{ file, line }` or `{ topic, partition, offset }`, null when the input has none (generator);
 * - `raw`: the record's text (the raw line; other elements as JSON), at most {@link MAX_RAW_CHARS}
 *   characters; `rawLength` is the full length, and `shortened: true` marks a cut `raw` (never dropped).
 */
export interface DeadLetterOutputRecord {
  readonly reason: string;
  readonly message: string;
  readonly step: string;
  readonly origin: LineOrigin | Readonly<Record<string, string | number | null>> | null;
  readonly raw: string;
  readonly rawLength: number;
  readonly shortened?: true;
  /** Event time of the record (epoch ms), when known. */
  readonly timestamp?: number;
  readonly window?: string;
}

/**
 * A dead letter as an output record. A dead letter whose element is a line with its origin (a
 * user-code failure on a {@link SourcedLine}) gets that origin.
 * @example deadLetterRecord({ step: 'Netflow/Parse', reason: 'malformed-json', message: '…', element: '{"a', origin: { file: 'f', line: 3 } })
 *   // { reason: 'malformed-json', message: '…', step: 'Netflow/Parse', origin: { file: 'f', line: 3 }, raw: '{"a', rawLength: 3 }
 */
export function deadLetterRecord(d: DeadLetter): DeadLetterOutputRecord {
  const sourced = isSourcedLine(d.element);
  const text = sourced ? (d.element as { text: string }).text : typeof d.element === 'string' ? d.element : jsonOf(d.element);
  const origin = d.origin ?? (sourced ? (d.element as { origin: LineOrigin }).origin : null);
  const raw = shorten(text, MAX_RAW_CHARS);
  return {
    reason: d.reason,
    message: shorten(d.message, MAX_MESSAGE_CHARS),
    step: d.step,
    origin,
    raw,
    rawLength: text.length,
    ...(raw.length < text.length ? { shortened: true as const } : {}),
    ...(d.timestamp !== undefined && Number.isFinite(d.timestamp) ? { timestamp: d.timestamp } : {}),
    ...(d.window !== undefined ? { window: d.window } : {}),
  };
}

/** `text`, or its first `max` characters followed by `…` (not splitting a surrogate pair). */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** JSON of any value; a value JSON cannot represent (cycles, BigInt) as its String(). */
function jsonOf(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
