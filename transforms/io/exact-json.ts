/**
 * JSON objects read without silently rounding integers.
 */
import { jsonDepthProblem } from './json-depth.js';

/** A JSON line read as an object, or why not: `reason` is a dead-letter reason. */
export type JsonObjectResult =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly reason: 'malformed-json' | 'unsafe-integer' | 'too-deep'; readonly message: string };

const INTEGER = /^-?\d+$/;

/**
 * Parses `text` as one JSON object. An integer written beyond ±(2^53 − 1) (a 64-bit id or counter)
 * would come back rounded from `JSON.parse`, another number than the one written: such a line is
 * refused as `unsafe-integer`, naming the member, rather than read wrong. A text nesting arrays and
 * objects deeper than 1000 levels is `too-deep` (it would overflow the stack of
 * whatever walks it later). Never throws.
 * @example parseJsonObject('{"n":18446744073709551615}') // { ok: false, reason: 'unsafe-integer', ... }
 */
export function parseJsonObject(text: string): JsonObjectResult {
  const deep = jsonDepthProblem(text);
  if (deep !== undefined) return { ok: false, reason: 'too-deep', message: deep };
  let unsafe: string | undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, function (this: unknown, key: string, value: unknown, context?: { source?: string }) {
      if (unsafe === undefined && typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && INTEGER.test(context.source)) {
        unsafe = `member ${JSON.stringify(key)} is the integer ${context.source.slice(0, 40)}, beyond ±(2^53 - 1): it cannot be a number exactly`;
      }
      return value;
    } as (this: unknown, key: string, value: unknown) => unknown);
  } catch (e) {
    return { ok: false, reason: 'malformed-json', message: (e as Error).message };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'malformed-json', message: 'not a JSON object' };
  if (unsafe !== undefined) return { ok: false, reason: 'unsafe-integer', message: unsafe };
  return { ok: true, value: parsed as Record<string, unknown> };
}
