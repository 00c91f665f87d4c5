/**
 * JSON values and objects read without silently rounding integers.
 */
import { jsonDepthProblem } from './json-depth.js';

/** A JSON line read as an object, or why not: `reason` is a dead-letter reason. */
export type JsonObjectResult =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly reason: 'malformed-json' | 'unsafe-integer' | 'too-deep'; readonly message: string };

const INTEGER = /^-?\d+$/;
/**
 * Whether `text` holds 16 ASCII digits in a row (as `/\d{16}/.test(text)`, several times faster): the
 * shortest integer beyond 2^53 − 1 has 16, so a text without such a run needs no checking parse.
 * Looks at every 16th character only (every run of 16 holds one of them), and around those that are digits.
 * @example hasLongDigitRun('{"id":18446744073709551615}') // true
 */
export function hasLongDigitRun(text: string): boolean {
  const n = text.length;
  for (let i = 15; i < n; ) {
    if (!isDigitAt(text, i)) {
      i += 16;
      continue;
    }
    let from = i;
    while (from > 0 && isDigitAt(text, from - 1)) from--;
    let to = i;
    while (to + 1 < n && isDigitAt(text, to + 1)) to++;
    if (to - from + 1 >= 16) return true;
    i = to + 17; // a run of 16 after this one starts at to + 2 or later, so holds to + 17 or a later sample
  }
  return false;
}

function isDigitAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** A JSON text read as a value, or why not: `reason` is a dead-letter reason. */
export type JsonResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: 'malformed-json' | 'unsafe-integer' | 'too-deep'; readonly message: string };

/** `text` parsed, and the first integer in it beyond ±(2^53 − 1) (undefined when none); throws as JSON.parse. */
function parseNoting(text: string): { parsed: unknown; unsafe: string | undefined } {
  // The common case, no run of 16 digits anywhere: the plain parse, no reviver to call for every value.
  if (!hasLongDigitRun(text)) return { parsed: JSON.parse(text), unsafe: undefined };
  let unsafe: string | undefined;
  const parsed = JSON.parse(text, function (this: unknown, key: string, value: unknown, context?: { source?: string }) {
    // Beyond ±(2^53 − 1) and read as a number that is written otherwise: another number (what JSON.stringify wrote, e.g. 1e20 in digits, is kept).
    if (unsafe === undefined && typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && INTEGER.test(context.source) && String(value) !== context.source) {
      unsafe = `${key === '' ? 'the value' : `member ${JSON.stringify(key)}`} is the integer ${context.source.slice(0, 40)}${context.source.length > 40 ? '…' : ''}, which a number would read as ${String(value).slice(0, 40)}`;
    }
    return value;
  } as (this: unknown, key: string, value: unknown) => unknown);
  return { parsed, unsafe };
}

/**
 * Parses `text` as one JSON value, refusing what `JSON.parse` would silently change: an integer
 * written beyond ±(2^53 − 1) that would come back rounded, another number (a 64-bit id or counter),
 * is `unsafe-integer`, naming the member (one that a number writes back as written, e.g. 100000000000000000000
 * or what `JSON.stringify` wrote, is read); a text nesting arrays and objects deeper than 1000 levels
 * is `too-deep`; anything else that is not JSON `malformed-json`. Never throws.
 * @example parseJsonExact('{"id":18446744073709551615}') // { ok: false, reason: 'unsafe-integer', ... }
 * @example parseJsonExact('[1, "x"]') // { ok: true, value: [1, 'x'] }
 */
export function parseJsonExact(text: string): JsonResult {
  const read = readJson(text);
  if (!read.ok) return read;
  if (read.unsafe !== undefined) return { ok: false, reason: 'unsafe-integer', message: read.unsafe };
  return { ok: true, value: read.parsed };
}

/**
 * Parses `text` as one JSON object. An integer written beyond ±(2^53 − 1) (a 64-bit id or counter)
 * that would come back rounded from `JSON.parse`, another number than the one written, makes the line
 * refused as `unsafe-integer`, naming the member, rather than read wrong (one that a number writes back
 * as written is read, as `parseJsonExact` says). A text nesting arrays and
 * objects deeper than 1000 levels is `too-deep` (it would overflow the stack of
 * whatever walks it later). Never throws.
 * @example parseJsonObject('{"n":18446744073709551615}') // { ok: false, reason: 'unsafe-integer', ... }
 */
export function parseJsonObject(text: string): JsonObjectResult {
  const read = readJson(text);
  if (!read.ok) return read;
  const { parsed, unsafe } = read;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'malformed-json', message: 'not a JSON object' };
  if (unsafe !== undefined) return { ok: false, reason: 'unsafe-integer', message: unsafe };
  return { ok: true, value: parsed as Record<string, unknown> };
}

/** What parseJsonExact and parseJsonObject share: `text` parsed (as parseNoting), or why it is not JSON. Never throws. */
function readJson(text: string): { readonly ok: true; readonly parsed: unknown; readonly unsafe: string | undefined } | { readonly ok: false; readonly reason: 'malformed-json' | 'too-deep'; readonly message: string } {
  const deep = jsonDepthProblem(text);
  if (deep !== undefined) return { ok: false, reason: 'too-deep', message: deep };
  try {
    return { ok: true, ...parseNoting(text) };
  } catch (e) {
    return { ok: false, reason: 'malformed-json', message: (e as Error).message };
  }
}
