import { AfterAll } from '../../sdk/triggers/after-all.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterEach } from '../../sdk/triggers/after-each.js';
import { AfterFirst } from '../../sdk/triggers/after-first.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { DefaultTrigger } from '../../sdk/triggers/default-trigger.js';
import { Never } from '../../sdk/triggers/never.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import type { Trigger } from '../../sdk/triggers/trigger.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { GlobalWindows } from '../../sdk/windows/global-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import type { WindowFn } from '../../sdk/windows/window-fn.js';
import type { TimestampCombiner } from '../../sdk/windowing-strategy.js';
import { TranscriptFormatError, type Transcript } from './transcript.js';

/**
 * Turns a transcript's Beam Python names into Watershed's window fn, trigger and timestamp
 * combiner. Transcript integers are milliseconds. What Watershed does not have is reported as
 * `unsupported` (the case then fails with that reason), never replaced by something close.
 *
 * @example windowingOf(t) // { windowFn: FixedWindows(10), trigger: DefaultTrigger(), timestampCombiner: 'END_OF_WINDOW' }
 */

export interface TranscriptWindowing {
  readonly windowFn: WindowFn<unknown>;
  readonly trigger: Trigger;
  readonly timestampCombiner: TimestampCombiner;
  /** Set when the transcript needs something Watershed does not implement: what and why. */
  readonly unsupported?: string;
}

/** A parsed Python call: `Name`, `Name(1, x=Other(2))`, or an integer. */
type Expr = number | { readonly name: string; readonly args: readonly Expr[]; readonly kwargs: Readonly<Record<string, Expr>> };

/** @throws TranscriptFormatError for unknown names or malformed calls */
export function windowingOf(t: Transcript): TranscriptWindowing {
  const fail = (why: string): never => {
    throw new TranscriptFormatError(t.name, why);
  };
  const windowExpr = parseExpr(t.windowFn, fail);
  const triggerExpr = parseExpr(t.triggerFn, fail);
  const combiner = COMBINERS[t.timestampCombiner];
  if (combiner === undefined) fail(`unknown timestamp combiner '${t.timestampCombiner}'`);
  return {
    windowFn: windowFnOf(windowExpr, fail),
    trigger: triggerOf(triggerExpr, fail),
    timestampCombiner: combiner!.combiner,
    ...(combiner!.unsupported ? { unsupported: combiner!.unsupported } : {}),
  };
}

const COMBINERS: Readonly<Record<string, { combiner: TimestampCombiner; unsupported?: string }>> = {
  OUTPUT_AT_EOW: { combiner: 'END_OF_WINDOW' },
  OUTPUT_AT_EARLIEST: { combiner: 'EARLIEST' },
  OUTPUT_AT_LATEST: { combiner: 'LATEST' },
  OUTPUT_AT_EARLIEST_TRANSFORMED: {
    combiner: 'EARLIEST',
    unsupported:
      'not implemented: OUTPUT_AT_EARLIEST_TRANSFORMED stamps a pane with its earliest input as moved by a hook of the WindowFn; ' +
      'Watershed WindowFns have no output-time hook (Beam Python only: Beam’s portable model and its Java SDK have no such combiner)',
  },
};

function call(e: Expr, fail: (why: string) => never): Exclude<Expr, number> {
  return typeof e === 'number' ? fail(`expected a name, got ${e}`) : e;
}

function num(e: Expr | undefined, what: string, fail: (why: string) => never): number {
  return typeof e === 'number' ? e : fail(`${what} must be an integer`);
}

function windowFnOf(e: Expr, fail: (why: string) => never): WindowFn<unknown> {
  const c = call(e, fail);
  const n = (i: number) => num(c.args[i], `${c.name} argument ${i + 1}`, fail);
  switch (c.name) {
    case 'GlobalWindows':
      return GlobalWindows();
    case 'FixedWindows':
      return c.args.length > 1 ? FixedWindows(n(0), n(1)) : FixedWindows(n(0));
    // Fixed windows whose output-time hook (used only by OUTPUT_AT_EARLIEST_TRANSFORMED) adds 100.
    case 'CustomTimestampingFixedWindowsWindowFn':
      return FixedWindows(n(0));
    case 'SlidingWindows':
      return c.args.length > 2 ? SlidingWindows(n(0), n(1), n(2)) : SlidingWindows(n(0), n(1));
    case 'Sessions':
      return Sessions(n(0));
    default:
      return fail(`unknown window fn '${c.name}'`);
  }
}

function triggerOf(e: Expr, fail: (why: string) => never): Trigger {
  const c = call(e, fail);
  const subs = () => c.args.map((a) => triggerOf(a, fail));
  const one = () => (c.args.length === 1 ? triggerOf(c.args[0]!, fail) : fail(`${c.name} takes one trigger`));
  switch (c.name) {
    case 'Default':
    case 'DefaultTrigger':
      return DefaultTrigger();
    case 'AfterWatermark': {
      let t = AfterWatermark();
      for (const k of Object.keys(c.kwargs)) if (k !== 'early' && k !== 'late') fail(`AfterWatermark has no '${k}'`);
      if (c.kwargs['early'] !== undefined) t = t.withEarlyFirings(triggerOf(c.kwargs['early'], fail));
      if (c.kwargs['late'] !== undefined) t = t.withLateFirings(triggerOf(c.kwargs['late'], fail));
      return t;
    }
    case 'AfterCount':
      return AfterCount(num(c.args[0], 'AfterCount', fail));
    case 'AfterProcessingTime':
      return AfterProcessingTime.pastFirstElementInPane().plusDelayOf(num(c.args[0], 'AfterProcessingTime', fail));
    case 'Repeatedly':
      return Repeatedly(one());
    case 'AfterAny':
      return AfterFirst(...subs());
    case 'AfterAll':
      return AfterAll(...subs());
    case 'AfterEach':
      return AfterEach(...subs());
    case 'OrFinally':
      return c.args.length === 2 ? triggerOf(c.args[0]!, fail).orFinally(triggerOf(c.args[1]!, fail)) : fail('OrFinally takes two triggers');
    case 'Never':
      return Never();
    default:
      return fail(`unknown trigger '${c.name}'`);
  }
}

/** Parses `Name`, `Name(args, kw=arg)` (nested) and integers. */
function parseExpr(s: string, fail: (why: string) => never): Expr {
  const text = s.trim();
  if (/^-?\d+$/.test(text)) return Number(text);
  const m = /^([A-Za-z_]\w*)\s*(?:\((.*)\))?$/s.exec(text);
  if (!m) return fail(`cannot read '${s}'`);
  const args: Expr[] = [];
  const kwargs: Record<string, Expr> = {};
  if (m[2] !== undefined && m[2].trim() !== '') {
    for (const part of splitTopLevel(m[2], fail)) {
      const kw = /^([A-Za-z_]\w*)\s*=(.*)$/s.exec(part);
      if (kw) kwargs[kw[1]!] = parseExpr(kw[2]!, fail);
      else args.push(parseExpr(part, fail));
    }
  }
  return { name: m[1]!, args, kwargs };
}

function splitTopLevel(s: string, fail: (why: string) => never): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
    if (depth < 0) fail(`unbalanced ')' in '${s}'`);
  }
  if (depth !== 0) fail(`unbalanced '(' in '${s}'`);
  out.push(s.slice(start).trim());
  return out;
}
