import type { CombineFn } from '../../../sdk/combine-fn.js';
import type { StateKey } from '../../../sdk/kv.js';
import type { AnyStateSpec, StateSpecs } from '../../../sdk/state.js';
import type { Instant } from '../../../sdk/time.js';
import { isIntervalWindow, type BoundedWindow } from '../../../sdk/window.js';
import type { WindowFn } from '../../../sdk/windows/window-fn.js';
import type { KeyedStateTable } from '../state/keyed-state-table.js';
import { mergeWindowsChecked } from './assigned-windows.js';
import type { UserStateRecord } from './user-state.js';

/** Where an element's proto-window ended up, and the records whose timers and collection must be queued. */
export interface UserWindowMerge {
  /** The window the element belongs to after merging (its proto-window when nothing merged). */
  readonly window: BoundedWindow;
  /** Records written under a new window, or whose timers moved: queue their timers and garbage collection. */
  readonly changed: readonly UserStateRecord[];
}

/**
 * A stateful DoFn after merging windows (Sessions): adds the element's proto-window `w` to the active
 * windows of key `ks` (the windows that have a record in `table`), merges them as `windowFn` says, and
 * merges the state of merged windows into one record under the merged window. Every active window has a
 * record (an empty one for a new window), so later elements merge with it even when the DoFn wrote nothing.
 *
 * The merged windows are taken in the order they end (earliest end first, then earliest start):
 * - bag: the bags one after another, in that order;
 * - combining: `mergeAccumulators` of the accumulators, in that order;
 * - set: the union (an element keeps its first occurrence);
 * - map: the union; for a map key several windows hold, the entry of the latest-ending window wins;
 * - value: the value of the latest-ending window that has one (state merges by event time, never by
 *   which element happened to be processed last, so both runners agree whatever their bundling);
 * - timers: each timer moves to the merged window, at the latest time it was set to in any of them (a
 *   timer set to the end of its window fires once, at the end of the merged window).
 *
 * @example mergeUserWindows(table, 'a', 'a', intervalWindow(1000, 2500), Sessions(1500), fn.state)
 *   // with [100,1600) and [2000,3500) active: { window: [100,3500), changed: [the merged record] }
 */
export function mergeUserWindows(
  table: KeyedStateTable<UserStateRecord>,
  ks: StateKey,
  keyValue: unknown,
  w: BoundedWindow,
  windowFn: WindowFn<unknown>,
  specs: StateSpecs,
): UserWindowMerge {
  const existing = table.namespaces(ks);
  const active: BoundedWindow[] = [];
  for (const r of existing?.values() ?? []) active.push(r.w);
  if (!existing?.has(w.id)) active.push(w);
  const merges = active.length < 2 || !windowFn.mergeWindows ? [] : mergeWindowsChecked(windowFn, active);
  const changed: UserStateRecord[] = [];
  let window = w;
  for (const m of merges) {
    const records: UserStateRecord[] = [];
    for (const mw of m.toMerge) {
      if (mw.id === w.id) window = m.result;
      const r = table.get(ks, mw.id);
      if (r) records.push(r);
    }
    const old = table.get(ks, m.result.id);
    for (const mw of m.toMerge) table.delete(ks, mw.id);
    const merged = mergeRecords(keyValue, m.result, records, specs);
    table.set(ks, m.result.id, merged);
    if (!old || !sameTimers(old.timers, merged.timers)) changed.push(merged);
  }
  if (!table.get(ks, window.id)) {
    const r: UserStateRecord = { k: keyValue, w: window, cells: {}, timers: {} };
    table.set(ks, window.id, r);
    changed.push(r);
  }
  return { window, changed };
}

/** One record for window `result` holding the merged state of `records` (see mergeUserWindows). */
function mergeRecords(k: unknown, result: BoundedWindow, records: UserStateRecord[], specs: StateSpecs): UserStateRecord {
  const ordered = [...records].sort((a, b) => a.w.maxTimestamp - b.w.maxTimestamp || startOf(a.w) - startOf(b.w));
  const cells: Record<string, unknown> = {};
  const names = new Set<string>();
  for (const r of ordered) for (const name of Object.keys(r.cells)) names.add(name);
  for (const name of names) {
    const present = ordered.filter((r) => Object.hasOwn(r.cells, name)).map((r) => r.cells[name]);
    cells[name] = mergeCell(specs[name], present);
  }
  const timers: Record<string, Instant> = {};
  for (const r of ordered) {
    for (const [id, t] of Object.entries(r.timers)) if (!Object.hasOwn(timers, id) || t > timers[id]!) timers[id] = t;
  }
  return { k, w: result, cells, timers };
}

/** The merged value of one state cell from the windows that have it, earliest-ending first. */
function mergeCell(spec: AnyStateSpec | undefined, values: unknown[]): unknown {
  switch (spec?.kind) {
    case 'bag':
      return (values as unknown[][]).flat(1);
    case 'combining':
      return (spec.combineFn as CombineFn<unknown, unknown, unknown>).mergeAccumulators(values);
    case 'set': {
      const out = new Map<StateKey, unknown>();
      for (const s of values as Map<StateKey, unknown>[]) for (const [k, v] of s) if (!out.has(k)) out.set(k, v);
      return out;
    }
    case 'map': {
      const out = new Map<StateKey, [unknown, unknown]>();
      for (const m of values as Map<StateKey, [unknown, unknown]>[]) for (const [k, e] of m) out.set(k, e);
      return out;
    }
    default:
      // value state (and a cell the DoFn no longer declares): the latest-ending window's
      return values[values.length - 1];
  }
}

function startOf(w: BoundedWindow): number {
  return isIntervalWindow(w) ? w.start : w.maxTimestamp;
}

function sameTimers(a: Record<string, Instant>, b: Record<string, Instant>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((id) => a[id] === b[id]);
}
