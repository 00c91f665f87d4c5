/**
 * User code a line source calls per line (its mapper, a `timestamp` option) throwing on one line: that
 * line becomes a dead letter, the read goes on. Internal to the package.
 */
import type { Instant } from '../../sdk/time.js';

/** The dead letter of a line whose user function threw: `reason` and a `message` naming the function and the error. */
export interface UserCodeDeadLetter {
  readonly kind: 'dead';
  readonly reason: 'timestamp-error' | 'mapper-error';
  readonly message: string;
}

/**
 * `fn(value, line)`, or, when it throws, the line's `timestamp-error` dead letter (never the throw).
 * @example const t = callTimestamp((v: { at: number }) => v.at, value, 7); if (typeof t === 'object') return t;
 */
export function callTimestamp<V>(fn: (value: V, line: number) => Instant | undefined, value: V, line: number): Instant | undefined | UserCodeDeadLetter {
  try {
    return fn(value, line);
  } catch (e) {
    return { kind: 'dead', reason: 'timestamp-error', message: `the timestamp function threw: ${describeThrown(e)}` };
  }
}

/**
 * What was thrown, in one short line: `Name: message` for an Error, its text otherwise (past 300
 * characters cut with `…`).
 * @example describeThrown(new TypeError('x is undefined')) // 'TypeError: x is undefined'
 */
export function describeThrown(e: unknown): string {
  let text: string;
  try {
    text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } catch {
    text = Object.prototype.toString.call(e);
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
