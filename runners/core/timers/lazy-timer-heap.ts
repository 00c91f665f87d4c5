import type { StateKey } from '../../../sdk/kv.js';
import type { Instant } from '../../../sdk/time.js';
import { MinHeap } from './min-heap.js';

/** One queued entry: a lower bound of the earliest time its owner still wants (see LazyTimerHeap). */
export interface LazyEntry<S> {
  time: Instant;
  readonly key: StateKey;
  readonly owner: S;
}

/**
 * Times of many owners (a WindowDriver's window states), earliest first, where an owner's wanted
 * times live in the owner itself (in keyed state) and the heap holds only *lower bounds* of them.
 *
 * Contract: whoever adds a time `t` to an owner must make sure some entry of that owner with
 * `time <= t` is queued, by calling `add` unless one is known to be there (an owner whose window
 * grows, as a session does, keeps the entry of its earlier, smaller time). `current(owner, key)`
 * gives the owner's earliest wanted time, or undefined when it wants none or is gone (stale). When an
 * entry surfaces whose owner wants a later time, it is moved to that time, so times come out in exact
 * order while owners that move their times later (merging windows) cost no heap work per move.
 * Duplicates are harmless: an entry whose owner no longer wants its time is moved or dropped.
 *
 * @example
 * const q = new LazyTimerHeap<St>((st, key) => (table.get(key, st.w.id) === st ? min(st.et) : undefined));
 * q.add('k', st, 999);
 * for (let e = q.popDue((t) => wm > t); e; e = q.popDue((t) => wm > t)) fire(e.key, e.owner, e.time);
 */
export class LazyTimerHeap<S> {
  private readonly heap = new MinHeap<LazyEntry<S>>((e) => e.time);

  constructor(private readonly current: (owner: S, key: StateKey) => Instant | undefined) {}

  get size(): number {
    return this.heap.size;
  }

  add(key: StateKey, owner: S, time: Instant): void {
    this.heap.push({ time, key, owner });
  }

  /** The earliest wanted time, or undefined. */
  peekTime(): Instant | undefined {
    return this.settle(undefined)?.time;
  }

  /**
   * The earliest wanted time if `due(time)`, else undefined. `due` must hold for every time before
   * one it holds for (e.g. `t < limit`): entries that are not due are left as they are, however
   * far they lag, so asking often costs nothing while nothing is due.
   */
  peekDue(due: (time: Instant) => boolean): Instant | undefined {
    return this.settle(due)?.time;
  }

  /** Removes and returns the earliest entry if `due(time)` (as for peekDue); its `time` is exactly one its owner wants. */
  popDue(due: (time: Instant) => boolean): LazyEntry<S> | undefined {
    const top = this.settle(due);
    if (top === undefined) return undefined;
    this.heap.pop();
    return top;
  }

  clear(): void {
    this.heap.clear();
  }

  /**
   * Calls `f` with the key of every queued entry whose time `due` holds for (as for peekDue; a key may come
   * more than once), without changing the queue: every owner that wants a due time is among them (by the
   * contract it has an entry at or before that time), and so may be owners whose entries lag (they want a
   * later time now) or are stale (gone). The owners are not looked at: only the due entries are visited.
   * @example q.forEachQueuedKey((t) => wm > t, (key) => mayBeDue.add(key));
   */
  forEachQueuedKey(due: (time: Instant) => boolean, f: (key: StateKey) => void): void {
    this.heap.forEachWhere(due, (e) => f(e.key));
  }

  /**
   * Drops stale entries and moves lagging ones until the top entry's time is one its owner wants
   * (returned), or, given `due`, until the top entry is not due (undefined: wanted times are at or
   * after an entry's, so none is due).
   */
  private settle(due: ((time: Instant) => boolean) | undefined): LazyEntry<S> | undefined {
    const heap = this.heap;
    for (let top = heap.peek(); top !== undefined; top = heap.peek()) {
      if (due !== undefined && !due(heap.peekPriority()!)) return undefined;
      const t = this.current(top.owner, top.key);
      if (t === top.time) return top;
      // Another wanted time (later, usually: an earlier one has an entry of its own by the contract,
      // but moving there too keeps a time from being lost): move the entry to it.
      if (t !== undefined) {
        top.time = t;
        heap.replaceTop(top);
      } else heap.pop();
    }
    return undefined;
  }
}
