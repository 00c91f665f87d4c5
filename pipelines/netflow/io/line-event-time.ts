import type { Instant } from '../../../sdk/time.js';
import { eventTimeMillis } from '../flow-record.js';
import { eventTimeProblem } from '../flow-ranges.js';

/**
 * The event time (epoch ms) of a reader's raw `eventtime` value: a number or numeric string of
 * seconds within the range the job accepts (1970..2100, see flow-ranges.ts); otherwise undefined (the line then does not move the watermark, and the
 * job's Parse step rejects or accepts the record on its own terms).
 * @example eventTimeOfValue('1490024708.5') // 1490024708500
 */
export function eventTimeOfValue(v: unknown): Instant | undefined {
  const seconds = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(seconds) && eventTimeProblem(seconds) === undefined ? eventTimeMillis({ eventtime: seconds }) : undefined;
}

const EVENTTIME_MEMBER = /"eventtime"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*[,}])/;

/**
 * The event time of a raw Netflow JSON line, read from its text without parsing the whole line, with
 * the same rules as {@link eventTimeOfValue} (so an NDJSON file and a sensor-log reader stamp the same
 * events alike). Undefined for a line that is not `{...}` (e.g. truncated), or whose `eventtime` is
 * absent or not a number >= 0. The first `"eventtime"` member in the text counts (Netflow events are
 * flat objects; in a nested one, an inner `eventtime` before the outer one would be taken).
 * @example eventTimeOfLine('{"eventid":1,"eventtime":1490024708}') // 1490024708000
 * @example eventTimeOfLine('{"eventid":1,"eventtime":14900') // undefined (truncated)
 */
export function eventTimeOfLine(text: string): Instant | undefined {
  if (!looksLikeObject(text)) return undefined;
  const m = EVENTTIME_MEMBER.exec(text);
  if (m === null) return undefined;
  if (m[2] !== undefined) return eventTimeOfValue(Number(m[2]));
  return eventTimeOfValue(m[1]!.includes('\\') ? unescapeJson(m[1]!) : m[1]);
}

/** The value of a JSON string's body (escapes resolved), or undefined when it is not valid JSON. */
function unescapeJson(body: string): string | undefined {
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return undefined;
  }
}

/** First and last non-blank characters are `{` and `}`. */
function looksLikeObject(text: string): boolean {
  let i = 0;
  let j = text.length - 1;
  while (i <= j && text.charCodeAt(i) <= 32) i++;
  while (j >= i && text.charCodeAt(j) <= 32) j--;
  return j > i && text.charCodeAt(i) === 123 && text.charCodeAt(j) === 125;
}
