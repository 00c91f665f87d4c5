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
 *   A Kafka record the source could not read has its value here as UTF-8 text; a value that is not
 *   valid UTF-8 (also a file line that is not, reason `invalid-utf8`) is base64 with
 *   `rawEncoding: 'base64'`, and a tombstone is `''` with `tombstone: true`.
 */
export interface DeadLetterOutputRecord {
  readonly reason: string;
  readonly message: string;
  readonly step: string;
  readonly origin: LineOrigin | Readonly<Record<string, string | number | null>> | null;
  readonly raw: string;
  readonly rawLength: number;
  readonly shortened?: true;
  readonly rawEncoding?: 'base64';
  readonly tombstone?: true;
  /** Event time of the record (epoch ms), when known. */
  readonly timestamp?: number;
  readonly window?: string;
}

/**
 * A dead letter as an output record. A dead letter without an origin whose element carries one (a
 * user-code failure on a {@link SourcedLine}) gets the element's; its text is the line's text.
 * @example deadLetterRecord({ step: 'Netflow/Parse', reason: 'malformed-json', message: '…', element: '{"a', origin: { file: 'f', line: 3 } })
 *   // { reason: 'malformed-json', message: '…', step: 'Netflow/Parse', origin: { file: 'f', line: 3 }, raw: '{"a', rawLength: 3 }
 */
export function deadLetterRecord(d: DeadLetter): DeadLetterOutputRecord {
  const el = d.element;
  const kafka = kafkaValueOf(el);
  const text = kafka !== undefined ? kafka.text : typeof el === 'string' ? el : isSourcedLine(el) ? el.text : jsonOf(el);
  const origin = d.origin ?? originOfElement(el);
  const raw = shorten(text, MAX_RAW_CHARS);
  return {
    reason: d.reason,
    message: shorten(d.message, MAX_MESSAGE_CHARS),
    step: d.step,
    origin,
    raw,
    rawLength: text.length,
    ...(text.length > MAX_RAW_CHARS ? { shortened: true as const } : {}),
    ...(kafka?.base64 ? { rawEncoding: 'base64' as const } : {}),
    ...(kafka?.tombstone ? { tombstone: true as const } : {}),
    ...(d.timestamp !== undefined && Number.isFinite(d.timestamp) ? { timestamp: d.timestamp } : {}),
    ...(d.window !== undefined ? { window: d.window } : {}),
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The value of a raw Kafka record as a Kafka source dead-letters it (`{ topic, partition, offset,
 * value: <base64> | null, encoding: 'base64' }`), or of a file line that is not valid UTF-8 (`{ text,
 * value: <base64>, encoding: 'base64' }`): its UTF-8 text, else base64; undefined for any other element.
 */
function kafkaValueOf(el: unknown): { text: string; base64?: true; tombstone?: true } | undefined {
  if (typeof el !== 'object' || el === null) return undefined;
  const r = el as { topic?: unknown; offset?: unknown; value?: unknown; encoding?: unknown };
  if (r.encoding !== 'base64') return undefined;
  if (r.value === null && typeof r.topic === 'string' && r.offset !== undefined) return { text: '', tombstone: true };
  if (typeof r.value !== 'string') return undefined;
  const bytes = Buffer.from(r.value, 'base64');
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    return { text: r.value, base64: true };
  }
}

/** `text`, or its first `max` characters followed by `…` (not splitting a surrogate pair). */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** The `origin` object an element carries (a line with its origin, even one whose text is broken), else null. */
function originOfElement(el: unknown): LineOrigin | null {
  const o = typeof el === 'object' && el !== null ? (el as { origin?: unknown }).origin : undefined;
  return typeof o === 'object' && o !== null ? (o as LineOrigin) : null;
}

/** JSON of any value; a value JSON cannot represent (cycles, BigInt) as its String(). */
function jsonOf(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
