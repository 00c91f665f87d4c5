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
 * `fn(value, line)`, or, when it throws, the line's `timestamp-error` dead letter (never the throw); tell
 * them apart with {@link threw} (what `fn` returns may be any value, `null` included).
 * @example const t = callTimestamp((v: { at: number }) => v.at, value, 7); if (threw(t)) return t;
 */
export function callTimestamp<V>(fn: (value: V, line: number) => Instant | undefined, value: V, line: number): Instant | undefined | UserCodeDeadLetter {
  try {
    return fn(value, line);
  } catch (e) {
    return new ThrownDeadLetter(`the timestamp function threw: ${describeThrown(e)}`);
  }
}

/** Whether a {@link callTimestamp} result is the dead letter of a throw (not something the function returned). */
export function threw(result: unknown): result is UserCodeDeadLetter {
  return result instanceof ThrownDeadLetter;
}

/** The dead letters {@link callTimestamp} makes, a class of their own so that no returned value is taken for one. */
class ThrownDeadLetter implements UserCodeDeadLetter {
  readonly kind = 'dead';
  readonly reason = 'timestamp-error';
  constructor(readonly message: string) {}
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
