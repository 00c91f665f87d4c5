import type { CombineFn } from '../../../sdk/combine-fn.js';
import { encodeKey, type StateKey } from '../../../sdk/kv.js';
import type { AnyStateSpec, StateOf, StateSpecs, Timer, TimerSpecs, TimersOf } from '../../../sdk/state.js';
import type { Instant } from '../../../sdk/time.js';
import { invalidInstantMessage, isValidInstant } from '../../../sdk/internal/valid-instant.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import type { KeyedStateTable } from '../state/keyed-state-table.js';

/** A stateful DoFn's state for one key and window: cell values by state name, timers by timer name. */
export interface UserStateRecord {
  k: unknown;
  w: BoundedWindow;
  cells: Record<string, unknown>;
  timers: Record<string, Instant>;
}

export interface UserStateHooks {
  key(): StateKey;
  keyValue(): unknown;
  window(): BoundedWindow;
  /** The current time of a domain: the element's timestamp for event time, the clock for processing time. */
  now(domain: 'event' | 'processing'): Instant;
  onTimerSet(domain: 'event' | 'processing', time: Instant, ns: string, id: string): void;
  /** A record was created for the current key and window (schedule its garbage collection). */
  onTouch(ns: string): void;
}

/**
 * Builds the `ctx.state` and `ctx.timers` objects of a stateful DoFn once; every access resolves the
 * current key and window through `hooks`, so the same objects serve every element.
 */
export function userStateCells(table: KeyedStateTable<UserStateRecord>, specs: StateSpecs, timerSpecs: TimerSpecs, hooks: UserStateHooks) {
  const record = (): UserStateRecord => {
    const ks = hooks.key();
    const w = hooks.window();
    let r = table.get(ks, w.id);
    if (!r) {
      r = { k: hooks.keyValue(), w, cells: {}, timers: {} };
      table.set(ks, w.id, r);
      hooks.onTouch(w.id);
    }
    return r;
  };
  const peek = (): UserStateRecord | undefined => table.get(hooks.key(), hooks.window().id);
  const state: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) state[name] = cell(name, spec as AnyStateSpec, record, peek);
  const timers: Record<string, Timer> = {};
  for (const [id, spec] of Object.entries(timerSpecs)) {
    timers[id] = {
      set(t) {
        if (!isValidInstant(t)) throw new RangeError(`timer '${id}': ${invalidInstantMessage(t, 'time')}`);
        const r = record();
        r.timers[id] = t;
        hooks.onTimerSet(spec.domain, t, r.w.id, id);
      },
      offset(d) {
        this.set(hooks.now(spec.domain) + d);
      },
      clear() {
        const r = peek();
        if (r) delete r.timers[id];
      },
    };
  }
  return { table, state: state as StateOf<any>, timers: timers as TimersOf<any> };
}

function cell(name: string, spec: AnyStateSpec, record: () => UserStateRecord, peek: () => UserStateRecord | undefined): unknown {
  switch (spec.kind) {
    case 'value':
      return {
        read: () => cellOf(peek(), name),
        write: (v: unknown) => void (record().cells[name] = v),
        clear: () => void (peek() && delete peek()!.cells[name]),
      };
    case 'bag':
      return {
        read: () => (cellOf(peek(), name) as unknown[] | undefined) ?? [],
        add: (v: unknown) => {
          const r = record();
          ((cellOf(r, name) as unknown[] | undefined) ?? (r.cells[name] = [] as unknown[])).push(v);
        },
        isEmpty: () => ((cellOf(peek(), name) as unknown[] | undefined)?.length ?? 0) === 0,
        clear: () => void (peek() && delete peek()!.cells[name]),
      };
    case 'set': {
      const m = (create: boolean): Map<StateKey, unknown> | undefined => {
        const r = create ? record() : peek();
        if (!r) return undefined;
        return ((cellOf(r, name) as Map<StateKey, unknown> | undefined) ?? (r.cells[name] = new Map())) as Map<StateKey, unknown>;
      };
      return {
        add: (v: unknown) => {
          const k = setElementKey(name, v);
          const s = m(true)!;
          if (!s.has(k)) s.set(k, v);
        },
        contains: (v: unknown) => {
          const k = setElementKey(name, v);
          return m(false)?.has(k) ?? false;
        },
        remove: (v: unknown) => {
          const k = setElementKey(name, v);
          m(false)?.delete(k);
        },
        read: () => [...(m(false)?.values() ?? [])],
        isEmpty: () => ((cellOf(peek(), name) as Map<StateKey, unknown> | undefined)?.size ?? 0) === 0,
        clear: () => void (peek() && delete peek()!.cells[name]),
      };
    }
    case 'map': {
      const m = (create: boolean): Map<StateKey, [unknown, unknown]> | undefined => {
        const r = create ? record() : peek();
        if (!r) return undefined;
        return ((cellOf(r, name) as Map<StateKey, [unknown, unknown]> | undefined) ?? (r.cells[name] = new Map())) as Map<StateKey, [unknown, unknown]>;
      };
      return {
        get: (k: unknown) => m(false)?.get(encodeKey(k))?.[1],
        put: (k: unknown, v: unknown) => void m(true)!.set(encodeKey(k), [k, v]),
        remove: (k: unknown) => void m(false)?.delete(encodeKey(k)),
        entries: () => [...(m(false)?.values() ?? [])],
        clear: () => void (peek() && delete peek()!.cells[name]),
      };
    }
    case 'combining': {
      const fn = spec.combineFn as CombineFn<unknown, unknown, unknown>;
      return {
        add: (v: unknown) => {
          const r = record();
          r.cells[name] = fn.addInput(Object.hasOwn(r.cells, name) ? r.cells[name] : fn.createAccumulator(), v, 0);
        },
        read: () => {
          const r = peek();
          return fn.extractOutput(r && Object.hasOwn(r.cells, name) ? r.cells[name] : fn.createAccumulator());
        },
        clear: () => void (peek() && delete peek()!.cells[name]),
      };
    }
  }
}

/** The key a set state element is stored under. @throws TypeError naming the cell for an element JSON cannot encode. */
function setElementKey(name: string, v: unknown): StateKey {
  try {
    return encodeKey(v);
  } catch {
    throw new TypeError(`set state '${name}' cannot hold a ${typeof v}: elements must be strings, numbers, booleans, null, arrays or plain objects`);
  }
}

/**
 * The cell `name` of a key's record: its own field only, so a cell named like an Object.prototype
 * member (`constructor`, `toString`) reads undefined until written, as any other (before, the inherited
 * member: a function where a value, list or map belonged). Records come back from checkpoints as plain
 * objects, so their prototype cannot be left out instead.
 * @example cellOf({ k: 'a', w, cells: {}, timers: {} }, 'constructor') // undefined
 */
function cellOf(r: UserStateRecord | undefined, name: string): unknown {
  return r !== undefined && Object.hasOwn(r.cells, name) ? r.cells[name] : undefined;
}
