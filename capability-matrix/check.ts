import type { Probe } from '../sdk/testing/capture.js';
import type { CheckResult, Measurement } from './model.js';

/** Helpers for case checks: each returns a failure reason, or undefined when it holds. */

const MAX = 240;

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s;
}

/** Deep equality through JSON (case values are plain data built in a fixed order). */
export function eq(what: string, actual: unknown, expected: unknown): string | undefined {
  return JSON.stringify(actual) === JSON.stringify(expected) ? undefined : `${what}: expected ${show(expected)}, got ${show(actual)}`;
}

/** Compares output lines (see Probe.lines) and names the first difference. */
export function sameLines(what: string, actual: readonly string[], expected: readonly string[]): string | undefined {
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) {
      const counts = actual.length === expected.length ? '' : ` (${actual.length} lines, expected ${expected.length})`;
      return `${what}${counts}: line ${i + 1} is ${actual[i] === undefined ? 'missing' : `'${actual[i]}'`}, expected ${expected[i] === undefined ? 'no line' : `'${expected[i]}'`}`;
    }
  }
  return undefined;
}

/** The probe's lines, sorted (order-insensitive comparison). */
export function sortedLines(probe: Probe<unknown>, withTime = false): string[] {
  return probe.lines({ sorted: true, withTime });
}

/** Passes when every check holds; otherwise fails with the first reason. */
export function expectAll(...problems: (string | undefined)[]): CheckResult {
  const failed = problems.find((p) => p !== undefined);
  return failed === undefined ? { ok: true } : { ok: false, reason: failed };
}

/** Like expectAll, and reports a measurement either way. */
export function observe(observed: string, ...problems: (string | undefined)[]): CheckResult {
  return { ...expectAll(...problems), observed };
}

/**
 * Like observe, with the measurement as a number too (compared across runners in "which runner for what");
 * `measured` is undefined when there was nothing to measure (e.g. the pane never came).
 * @example measure('latency 0 ms', { aspect: 'latency', value: 0, unit: 'ms' }, eq('emission time', at, 500))
 */
export function measure(observed: string, measured: Measurement | undefined, ...problems: (string | undefined)[]): CheckResult {
  return { ...expectAll(...problems), observed, ...(measured === undefined ? {} : { measured }) };
}

/** Sorts by JSON form (for order-insensitive value comparisons). */
export function byJson<T>(values: readonly T[]): T[] {
  return [...values].sort((a, b) => {
    const x = JSON.stringify(a);
    const y = JSON.stringify(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
