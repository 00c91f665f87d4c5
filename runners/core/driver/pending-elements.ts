import type { KV, StateKey } from '../../../sdk/kv.js';
import type { PaneInfo } from '../../../sdk/pane.js';
import type { Instant } from '../../../sdk/time.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import { TaggedValue } from '../util/tagged-value.js';

/**
 * One key's waiting elements: the slots of the PendingElements' columns that hold them, chained in
 * arrival order from `first` (each slot's successor is `PendingElements.next(slot)`, -1 after the last).
 * A key costs this one object however many of its elements wait, and keeps it from one merge to the next
 * while it has elements often enough; the elements themselves live in columns shared by all keys and
 * reused from one merge to the next (no list per key is made or grown).
 */
export interface KeyPending {
  readonly ks: StateKey;
  /** The key as the user gave it (of the first element that waits). */
  key: unknown;
  /** The slot of the first element, and of the last (where the next one is chained). */
  first: number;
  last: number;
  /** How many of the key's elements wait. */
  count: number;
  /** The earliest `maxTimestamp` of the elements' windows. */
  minMax: Instant;
  /** Handed over by `take`/`takeKeys` and not released yet (its slots are being read). */
  handed: boolean;
  /** The `release` that last let its elements go (while idle: see PendingElements.dropIdleKeys). */
  releasedAt: number;
}

/**
 * The code of a waiting element: 2 × (1 + the index of its tag in the tag list) when its value was a
 * TaggedValue (CoGroupByKey's: the value is kept without its tag object; `tag` and `storedValue` give the
 * two apart, `value` makes the object again), plus 1 when it is a retraction.
 */
function pendingCode(tagSlot: number, retraction: boolean): number {
  return tagSlot * 2 + (retraction ? 1 : 0);
}
/** At most this many tags are told apart by their index; a TaggedValue of another tag waits as it is. */
const MAX_TAGS = 127;
/**
 * Every this many releases, when the map holds more than twice as many keys as wait plus 1,024, the keys with nothing
 * waiting for this many releases or more are dropped (a KeyPending made again should one come back).
 */
const IDLE_RELEASES = 8;
/** The keys `list`, released by release number `at`: idle, their elements let go (see PendingElements.release). */
function idle(list: readonly KeyPending[], at: number): void {
  for (let i = 0; i < list.length; i++) {
    const k = list[i]!;
    k.count = 0;
    k.handed = false;
    k.key = undefined;
    k.releasedAt = at;
  }
}
/** compact's new slot numbers: `remap[s]` for each of the first `used` slots in use; returns how many are. */
function numberSlots(codes: readonly number[], used: number, remap: Int32Array): number {
  let to = 0;
  for (let s = 0; s < used; s++) if (codes[s] !== FREE) remap[s] = to++;
  return to;
}
/** The end of a key's chain of slots. */
const END = -1;
/** The code of a slot whose element was added (released while other elements still wait). */
const FREE = -1;

/**
 * Elements an aggregation took but has not added to window state yet, by key, each key's in arrival
 * order (WindowDriver keeps them when it merges windows once per key and batch, or at the watermark:
 * see `WindowDriver`). `take` hands all keys over, `takeKeys` only some (the others go on waiting);
 * the elements handed over are read by slot (`value`, `timestamp`, `window`, `pane`, `retraction`,
 * `next`) until `release`, which frees their slots for the elements that come next.
 *
 * Every element takes one slot in a few columns (value, code, timestamp, window, pane, next slot of its
 * key) kept from one merge to the next, so waiting costs no object or list per element or key beyond
 * the one KeyPending per key: the columns are written in place, and an element's value is let go as
 * soon as it is added (`release` clears the slots). `push` only appends; the elements pushed since are
 * linked into their keys' chains when keys are next asked for (`take`, `takeKeys`, `release`,
 * `tightenMinMax`, `keysHeld`), all in one loop. A key's KeyPending stays in the map once its
 * elements were released (a key whose elements keep coming makes none again, and the map is not
 * changed for it); keys idle for long are dropped once they outnumber the waiting ones (see IDLE_RELEASES).
 * @example
 * const p = new PendingElements();
 * p.push('k', kv('k', 1), 0, w, NO_FIRING, false);
 * const [k] = p.take(); // k.first === 0, k.count === 1; p.value(0) === 1, p.window(0) === w; p.length === 0
 * p.release([k]); // slot 0 is free again
 */
export class PendingElements {
  /** Every key's KeyPending: those with elements waiting or handed over, and idle ones (count 0) kept for reuse. */
  private byKey = new Map<StateKey, KeyPending>();
  /** Keys with elements waiting (not handed over). */
  private waitingKeys = 0;
  /** How many times `release` let elements go. */
  private releases = 0;
  private count = 0;
  /** Slots in use (handed over or waiting); the columns' entries past it are free. */
  private used = 0;
  /** Slots handed over by `take`/`takeKeys` and not released yet. */
  private handedOver = 0;
  private readonly values: unknown[] = [];
  private readonly codes: number[] = [];
  private readonly times: Instant[] = [];
  private readonly windows: BoundedWindow[] = [];
  private readonly panes: PaneInfo[] = [];
  private readonly nexts: number[] = [];
  /**
   * Each slot's key (encoded, and as the user gave it) until the slot is linked into its key's chain: `push`
   * only appends, and the slots from `linked` on are linked in one go when something asks for keys (`link`),
   * so the per-key map and records are visited back to back instead of once between every element's other
   * work, which evicted them from the caches (a lookup took 2.4 times as long as fixed windows' per-element one).
   */
  private readonly slotKs: StateKey[] = [];
  private readonly slotKeys: unknown[] = [];
  /** Slots before this one are linked into their key's chain (see slotKs). */
  private linked = 0;
  /** compact's map from old slots to new ones (kept for it). */
  private remap = new Int32Array(0);
  /** A lower bound of the earliest `maxTimestamp` of the waiting elements' windows (exact until `takeKeys`). */
  private minMax: Instant = Number.POSITIVE_INFINITY;
  /** The tags of the TaggedValues seen, each once (see pendingCode): CoGroupByKey's input names. */
  private readonly tags: string[] = [];

  /** How many elements wait. */
  get length(): number {
    return this.count;
  }

  /** How many keys are held: those waiting or handed over, and idle ones not dropped yet (see IDLE_RELEASES). */
  get keysHeld(): number {
    this.link();
    return this.byKey.size;
  }

  /** The earliest `maxTimestamp` of the waiting elements' windows (+Infinity when none waits). */
  get minMaxTimestamp(): Instant {
    if (this.count === 0) return Number.POSITIVE_INFINITY;
    return this.minMax;
  }

  push(ks: StateKey, element: KV<unknown, unknown>, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    const slot = this.used++;
    const value = element.value;
    const tagSlot = value instanceof TaggedValue ? this.tagSlot(value.tag) : 0;
    const max = window.maxTimestamp;
    if (slot < this.nexts.length) {
      this.values[slot] = tagSlot === 0 ? value : (value as TaggedValue).value;
      this.codes[slot] = pendingCode(tagSlot, retraction);
      this.times[slot] = timestamp;
      this.windows[slot] = window;
      this.panes[slot] = pane;
      this.nexts[slot] = END;
      this.slotKs[slot] = ks;
      this.slotKeys[slot] = element.key;
    } else {
      this.values.push(tagSlot === 0 ? value : (value as TaggedValue).value);
      this.codes.push(pendingCode(tagSlot, retraction));
      this.times.push(timestamp);
      this.windows.push(window);
      this.panes.push(pane);
      this.nexts.push(END);
      this.slotKs.push(ks);
      this.slotKeys.push(element.key);
    }
    this.count++;
    if (max < this.minMax) this.minMax = max;
  }

  /** Links the slots pushed since the last call into their keys' chains (see slotKs). */
  private link(): void {
    if (this.linked < this.used) this.linkSlots(this.linked, this.used);
    this.linked = this.used;
  }

  /** link's loop (a function of its own with nothing after it: see `handOver`). */
  private linkSlots(from: number, to: number): void {
    const { byKey, nexts, windows, slotKs, slotKeys } = this;
    for (let slot = from; slot < to; slot++) {
      const ks = slotKs[slot]!;
      const key = slotKeys[slot];
      slotKs[slot] = undefined as never;
      slotKeys[slot] = undefined;
      const max = windows[slot]!.maxTimestamp;
      const k = byKey.get(ks);
      if (k !== undefined && k.count > 0 && !k.handed) {
        nexts[k.last] = slot;
        k.last = slot;
        k.count++;
        if (max < k.minMax) k.minMax = max;
      } else {
        this.waitingKeys++;
        // An idle key starts over in its own object; one still handed over (read by whoever took it) gets a new one.
        if (k !== undefined && !k.handed) {
          k.key = key;
          k.first = slot;
          k.last = slot;
          k.count = 1;
          k.minMax = max;
        } else byKey.set(ks, { ks, key, first: slot, last: slot, count: 1, minMax: max, handed: false, releasedAt: 0 });
      }
    }
  }

  /** 1 + the index of `tag` in `tags` (added when new); 0 when there are MAX_TAGS already. */
  private tagSlot(tag: string): number {
    const tags = this.tags;
    for (let i = 0; i < tags.length; i++) if (tags[i] === tag) return i + 1;
    if (tags.length === MAX_TAGS) return 0;
    return tags.push(tag);
  }

  /** The slot after `slot` in its key's chain (-1 after the key's last element). */
  next(slot: number): number {
    return this.nexts[slot]!;
  }

  /** The value of the element in `slot`, as it came (a TaggedValue made again). */
  value(slot: number): unknown {
    const tagSlot = this.codes[slot]! >> 1;
    const stored = this.values[slot];
    return tagSlot === 0 ? stored : new TaggedValue(this.tags[tagSlot - 1]!, stored);
  }

  /** The tag of the element in `slot` when it came as a TaggedValue kept apart (else undefined); `storedValue` is then its value. */
  tag(slot: number): string | undefined {
    const tagSlot = this.codes[slot]! >> 1;
    return tagSlot === 0 ? undefined : this.tags[tagSlot - 1];
  }

  /** The value of the element in `slot` as kept: without its tag when `tag(slot)` is defined. */
  storedValue(slot: number): unknown {
    return this.values[slot];
  }

  timestamp(slot: number): Instant {
    return this.times[slot]!;
  }

  window(slot: number): BoundedWindow {
    return this.windows[slot]!;
  }

  pane(slot: number): PaneInfo {
    return this.panes[slot]!;
  }

  retraction(slot: number): boolean {
    return (this.codes[slot]! & 1) === 1;
  }

  /** Every key's elements (keys in the order they first waited, since they were last dropped as idle), leaving none waiting. */
  take(): KeyPending[] {
    this.link();
    const out: KeyPending[] = [];
    for (const k of this.byKey.values()) {
      if (k.count === 0 || k.handed) continue;
      k.handed = true;
      out.push(k);
    }
    this.waitingKeys = 0;
    this.handedOver += this.count;
    this.count = 0;
    this.minMax = Number.POSITIVE_INFINITY;
    return out;
  }

  /**
   * The elements of those of the first `n` of `keys` that have any, leaving the other keys' waiting (a key
   * listed more than once is taken once).
   */
  takeKeys(keys: readonly StateKey[], n: number = keys.length): KeyPending[] {
    this.link();
    const out: KeyPending[] = [];
    this.handOver(keys, n, out);
    if (this.count === 0) this.minMax = Number.POSITIVE_INFINITY;
    return out;
  }

  /**
   * takeKeys' loop, in a function of its own with nothing after it (as `freeSlots`): code after a loop that
   * V8 compiled during its first long run has no type feedback, and bailed out at every later call.
   */
  private handOver(keys: readonly StateKey[], n: number, out: KeyPending[]): void {
    for (let i = 0; i < n; i++) {
      const k = this.byKey.get(keys[i]!);
      if (k === undefined || k.count === 0 || k.handed) continue;
      k.handed = true;
      this.waitingKeys--;
      this.count -= k.count;
      this.handedOver += k.count;
      out.push(k);
    }
  }

  /**
   * The elements handed over by `take`/`takeKeys` (the keys `list`) were added: their slots are free
   * again (their values let go). When none waits, the columns start over; when most slots in use are free, the waiting
   * elements are moved to the front (in place, keeping their order).
   */
  release(list: readonly KeyPending[]): void {
    if (this.handedOver === 0) return;
    this.link();
    this.handedOver = 0;
    if (this.count === 0) {
      this.clearSlots(0, this.used);
      this.used = 0;
      this.linked = 0;
    } else this.freeSlots(list);
    const at = ++this.releases;
    idle(list, at);
    if (this.count > 0 && this.used > 4 * this.count + 1024) this.compact();
    if (at % IDLE_RELEASES === 0 && this.byKey.size > 2 * this.waitingKeys + 1024) this.dropIdleKeys(at - IDLE_RELEASES);
  }

  /**
   * Frees the slots of the keys `list` (their values let go). Its own function, as the loops of `release` are:
   * a long first run of a loop is compiled while it runs, without type feedback for what follows it, which
   * then bailed out at every later call.
   */
  private freeSlots(list: readonly KeyPending[]): void {
    for (let i = 0; i < list.length; i++) {
      for (let s = list[i]!.first; s !== END; s = this.nexts[s]!) {
        this.codes[s] = FREE;
        this.values[s] = undefined;
        this.windows[s] = undefined as never;
        this.panes[s] = undefined as never;
      }
    }
  }

  /**
   * Forgets the keys with nothing waiting or handed over since release `before` or earlier (see IDLE_RELEASES),
   * so that keys that come and go cost nothing once gone (the map holds at most about twice as many keys as
   * wait, plus 1,024, plus those of the last 2 × IDLE_RELEASES releases), while one whose elements keep
   * coming keeps its KeyPending.
   */
  private dropIdleKeys(before: number): void {
    const byKey = this.byKey;
    byKey.forEach((k, ks) => {
      if (k.count === 0 && !k.handed && k.releasedAt <= before) byKey.delete(ks);
    });
  }

  /** Drops every waiting element (restore: the driver's state is replaced). */
  clear(): void {
    this.byKey = new Map();
    this.waitingKeys = 0;
    this.count = 0;
    this.handedOver = 0;
    this.clearSlots(0, this.used);
    this.used = 0;
    this.linked = 0;
    this.minMax = Number.POSITIVE_INFINITY;
  }

  /** Makes `minMaxTimestamp` exact again after `takeKeys` (one look at every waiting key); returns it. */
  tightenMinMax(): Instant {
    this.link();
    let m = Number.POSITIVE_INFINITY;
    for (const k of this.byKey.values()) if (k.count > 0 && !k.handed && k.minMax < m) m = k.minMax;
    this.minMax = m;
    return this.minMaxTimestamp;
  }

  /**
   * Moves the waiting elements to the first slots, each key's in order, and frees the rest. (Each loop is a
   * function of its own, with nothing after it: see `handOver`.)
   */
  private compact(): void {
    const used = this.used;
    if (this.remap.length < used) this.remap = new Int32Array(2 * used);
    // Slots keep their order (each key's chain runs forward), so every waiting element moves to a slot at or
    // before its own, never onto one not moved yet.
    const to = numberSlots(this.codes, used, this.remap);
    this.moveSlots(used);
    this.remapKeys();
    this.clearSlots(to, used);
    this.used = to;
    this.linked = to;
  }

  /** compact: each waiting element's columns copied to its new slot (`remap`), its chain link renumbered. */
  private moveSlots(used: number): void {
    const { values, codes, times, windows, panes, nexts, remap } = this;
    for (let s = 0; s < used; s++) {
      if (codes[s] === FREE) continue;
      const t = remap[s]!;
      const n = nexts[s]!;
      values[t] = values[s];
      codes[t] = codes[s]!;
      times[t] = times[s]!;
      windows[t] = windows[s]!;
      panes[t] = panes[s]!;
      nexts[t] = n === END ? END : remap[n]!;
    }
  }

  /** compact: the waiting keys' first and last slots renumbered (idle keys' slots are stale, handed-over keys have none left). */
  private remapKeys(): void {
    const remap = this.remap;
    this.byKey.forEach((k) => {
      if (k.count === 0 || k.handed) return;
      k.first = remap[k.first]!;
      k.last = remap[k.last]!;
    });
  }


  /** Lets go of the values, windows and panes in slots `from` to `to` (exclusive). */
  private clearSlots(from: number, to: number): void {
    for (let s = from; s < to; s++) {
      this.values[s] = undefined;
      this.windows[s] = undefined as never;
      this.panes[s] = undefined as never;
      this.slotKs[s] = undefined as never;
      this.slotKeys[s] = undefined;
    }
  }
}
