/**
 * One value of a Zeek log, typed by its Zeek type.
 */
import { parseIsoMicros } from './iso-timestamp.js';
import { unescapeZeek, type ZeekHeader } from './zeek-header.js';

/** A value of a Zeek log record as {@link ZeekLog} gives it. */
export type ZeekValue = string | number | boolean | readonly ZeekValue[];

/** A value read, or why it cannot be: `reason` is a dead-letter reason (`malformed-value`, `unsafe-integer`). */
export type ZeekValueResult = { readonly ok: true; readonly value: ZeekValue | undefined } | { readonly ok: false; readonly reason: 'malformed-value' | 'unsafe-integer'; readonly message: string };

const SECONDS = /^([+-]?)(\d+)(?:\.(\d*))?$/;
const UNSIGNED = /^\d+$/;
const SIGNED = /^[+-]?\d+$/;
/** A `double` as Zeek writes it: `1.5`, `-0.000123`, `1e-05`. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads the text of one column of a Zeek ASCII data line by its `#types` type:
 * - the header's unset field (`-`) → `undefined`;
 * - `time` (epoch seconds, e.g. `1655071209.953394`) and `interval` (seconds) → milliseconds, exact
 *   to the micro-second (`1655071209953.394`); a `time` written as ISO-8601 text is read too;
 * - `count`, `port`, `int` → number; one beyond ±(2^53 − 1) cannot be a number without changing, so
 *   it is refused (`unsafe-integer`) rather than rounded; a `port` beyond 0..65535 is `malformed-value`;
 * - `double` (decimal, e.g. `1.5`, `1e-05`; not hex, blanks or `inf`) → number; `bool` (`T` / `F`) → boolean;
 * - `set[T]`, `vector[T]` → an array of T split on `#set_separator`; the empty field (`(empty)`) → `[]`;
 * - anything else (`string`, `addr`, `subnet`, `enum`, `pattern`, unknown types) → the text with Zeek's
 *   `\xHH` escapes decoded; the empty field → `''` (for a number, time or bool it is `malformed-value`).
 * Never throws: a text that does not fit its type is `{ ok: false, reason: 'malformed-value' }`.
 * @example zeekValue('1655071209.953394', 'time', header) // { ok: true, value: 1655071209953.394 }
 */
export function zeekValue(text: string, type: string, header: ZeekHeader): ZeekValueResult {
  if (text === header.unsetField) return { ok: true, value: undefined };
  const container = /^(?:set|vector)\[(.*)\]$/.exec(type);
  if (container !== null) {
    if (text === header.emptyField) return { ok: true, value: [] };
    const items: ZeekValue[] = [];
    for (const item of text.split(header.setSeparator)) {
      const r = scalar(item, container[1]!);
      if (!r.ok) return r;
      if (r.value !== undefined) items.push(r.value);
    }
    return { ok: true, value: items };
  }
  if (text === header.emptyField && isTextType(type)) return { ok: true, value: '' };
  return scalar(text, type);
}

function scalar(text: string, type: string): ZeekValueResult {
  switch (type) {
    case 'time': {
      const ms = secondsToMillis(text) ?? isoMillis(text);
      return ms === undefined ? bad(text, type) : { ok: true, value: ms };
    }
    case 'interval': {
      const ms = secondsToMillis(text);
      return ms === undefined ? bad(text, type) : { ok: true, value: ms };
    }
    case 'port':
      return port(text);
    case 'count':
    case 'int':
      return integer(text, type, type === 'int' ? SIGNED : UNSIGNED);
    case 'double': {
      // Decimal only: Number() would read 0x10 as 16 and ' 5' as 5.
      const n = DECIMAL.test(text) ? Number(text) : NaN;
      return Number.isFinite(n) ? { ok: true, value: n } : bad(text, type);
    }
    case 'bool':
      return text === 'T' ? { ok: true, value: true } : text === 'F' ? { ok: true, value: false } : bad(text, type);
    default:
      return { ok: true, value: unescapeZeek(text) };
  }
}

/** An integer column: a number when it is one exactly, else `unsafe-integer`. */
export function integer(text: string, type: string, pattern: RegExp = SIGNED): ZeekValueResult {
  if (!pattern.test(text)) return bad(text, type);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    return { ok: false, reason: 'unsafe-integer', message: `${type} ${shorten(text)} is beyond ±(2^53 - 1) and cannot be a number exactly` };
  }
  return { ok: true, value: n };
}

/** The largest port number (ports are 16-bit). */
const MAX_PORT = 65_535;

/**
 * A `port` column: a whole number in 0..65535, else `malformed-value` (a number out of range or
 * text that is not one).
 * @example port('443') // { ok: true, value: 443 }
 * @example port('65536') // { ok: false, reason: 'malformed-value', ... }
 */
export function port(text: string): ZeekValueResult {
  const n = UNSIGNED.test(text) && text.length <= 5 ? Number(text) : Number.NaN;
  return n <= MAX_PORT ? { ok: true, value: n } : bad(text, 'port');
}

/** A port member of a JSON line: a whole number in 0..65535. */
export function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_PORT;
}

/**
 * Seconds written as decimal text (`1655071209.953394`) → milliseconds, computed from the digits so
 * the micro-seconds survive: `undefined` when the text is not such a number.
 * @example secondsToMillis('1.5') // 1500
 */
export function secondsToMillis(text: string): number | undefined {
  const m = SECONDS.exec(text);
  if (m === null) return undefined;
  const [, sign, whole, fraction = ''] = m;
  // Whole milliseconds as an integer, then the rest of the digits parsed as one decimal: the double nearest the
  // written value (adding a parsed fraction to the milliseconds would round twice).
  const wholeMs = Number(whole) * 1000 + Number(fraction.slice(0, 3).padEnd(3, '0'));
  const ms = Number.isSafeInteger(wholeMs) ? Number(`${wholeMs}.${fraction.slice(3) || '0'}`) : wholeMs;
  return Number.isFinite(ms) ? (sign === '-' ? -ms : ms) : undefined;
}

function isoMillis(text: string): number | undefined {
  const micros = parseIsoMicros(text);
  return micros === undefined ? undefined : micros / 1000;
}

/** Zeek types read as text (so the empty field is `''`). */
function isTextType(type: string): boolean {
  return !['time', 'interval', 'count', 'port', 'int', 'double', 'bool'].includes(type);
}

function bad(text: string, type: string): ZeekValueResult {
  return { ok: false, reason: 'malformed-value', message: `${shorten(JSON.stringify(text))} is not a Zeek ${type}` };
}

function shorten(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
