import type { KV, StateKey } from '../../../sdk/kv.js';
import type { PaneInfo } from '../../../sdk/pane.js';
import type { Instant } from '../../../sdk/time.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import { sameWindow } from '../util/same-window.js';
import { TaggedValue } from '../util/tagged-value.js';

/**
 * One key's waiting elements, in arrival order: `items` holds 2 entries per element (its value, and its
 * code: see `pendingCode`) and `timestamps` its
 * timestamp (a list of numbers: no object per timestamp), so a key costs one object and three lists however
 * many wait. The element's KV is not kept (it is `key` and its value): only what is added to window state
 * outlives the call. `windows` lists the elements' windows, a window that the key's previous element had
 * too (by sameWindow) listed once: such an element keeps no window object of its own (a window may still
 * be listed twice when other windows came between). Panes: `pane` is the first element's; `panes` (one per
 * element) is made only when an element comes with another.
 */
export interface KeyPending {
  readonly ks: StateKey;
  /** The key as the user gave it (of the first element). */
  readonly key: unknown;
  /** The earliest `maxTimestamp` of the elements' windows. */
  minMax: Instant;
  /** The elements' windows, in the order they came (see above). */
  readonly windows: BoundedWindow[];
  /** The last of `windows`. */
  last: BoundedWindow;
  readonly items: unknown[];
  readonly timestamps: Instant[];
  readonly pane: PaneInfo;
  panes: PaneInfo[] | undefined;
  /** The tags of tagged values (the PendingElements' list, shared): see `pendingCode`. */
  readonly tags: readonly string[];
}

/**
 * The code of a waiting element: the index of its window in `windows` times CODE_WINDOW, plus 2 × (1 + the
 * index of its tag in `tags`) when its value was a TaggedValue (CoGroupByKey's: the value is kept without
 * its tag object, which is made again when the element is added), plus 1 when it is a retraction.
 */
function pendingCode(window: number, tagSlot: number, retraction: boolean): number {
  return window * CODE_WINDOW + tagSlot * 2 + (retraction ? 1 : 0);
}
const CODE_WINDOW = 256;
/** At most this many tags are told apart by their index; a TaggedValue of another tag waits as it is. */
const MAX_TAGS = CODE_WINDOW / 2 - 1;

/** The index in `KeyPending.windows` of the window of the element with code `code`. */
export function codeWindow(code: number): number {
  return Math.floor(code / CODE_WINDOW);
}

/** Whether the element with code `code` is a retraction. */
export function codeRetraction(code: number): boolean {
  return code % 2 === 1;
}

/** The value of the element kept as `stored` with code `code`, as it came (a TaggedValue made again). */
export function codeValue(k: KeyPending, stored: unknown, code: number): unknown {
  const slot = (code % CODE_WINDOW) >> 1;
  return slot === 0 ? stored : new TaggedValue(k.tags[slot - 1]!, stored);
}

/** The value of `k`'s `e`-th waiting element, as it came. */
export function pendingValue(k: KeyPending, e: number): unknown {
  return codeValue(k, k.items[e * PENDING_STRIDE], k.items[e * PENDING_STRIDE + 1] as number);
}

/** Entries per element in `KeyPending.items`. */
export const PENDING_STRIDE = 2;

/** The window of `k`'s `e`-th waiting element. */
export function pendingWindow(k: KeyPending, e: number): BoundedWindow {
  return k.windows[codeWindow(k.items[e * PENDING_STRIDE + 1] as number)]!;
}

/** The pane of `k`'s `e`-th waiting element. */
export function pendingPane(k: KeyPending, e: number): PaneInfo {
  return k.panes === undefined ? k.pane : k.panes[e]!;
}

/**
 * Elements an aggregation took but has not added to window state yet, by key, each key's in arrival
 * order (WindowDriver keeps them when it merges windows once per key and batch, or at the watermark:
 * see `WindowDriver`). `take` hands all keys over, `takeKeys` only some (the others go on waiting).
 * @example
 * const p = new PendingElements();
 * p.push('k', kv('k', 1), 0, w, NO_FIRING, false);
 * const [k] = p.take(); // k.windows: [w], k.items: [1, 0] (value 1, code 0), k.timestamps: [0], k.pane: NO_FIRING; p.length === 0
 */
export class PendingElements {
  private byKey = new Map<StateKey, KeyPending>();
  private count = 0;
  /** A lower bound of the earliest `maxTimestamp` of the waiting elements' windows (exact until `takeKeys`). */
  private minMax: Instant = Number.POSITIVE_INFINITY;
  /** The tags of the TaggedValues seen, each once (see pendingCode): CoGroupByKey's input names. */
  private readonly tags: string[] = [];

  /** How many elements wait. */
  get length(): number {
    return this.count;
  }

  /** The earliest `maxTimestamp` of the waiting elements' windows (+Infinity when none waits). */
  get minMaxTimestamp(): Instant {
    if (this.count === 0) return Number.POSITIVE_INFINITY;
    return this.minMax;
  }

  push(ks: StateKey, element: KV<unknown, unknown>, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    let k = this.byKey.get(ks);
    let j: number;
    if (k === undefined) {
      this.byKey.set(ks, (k = { ks, key: element.key, minMax: window.maxTimestamp, windows: [window], last: window, items: [], timestamps: [], pane, panes: undefined, tags: this.tags }));
      j = 0;
    } else if (sameWindow(k.last, window)) j = k.windows.length - 1;
    else {
      j = k.windows.push(window) - 1;
      k.last = window;
      if (window.maxTimestamp < k.minMax) k.minMax = window.maxTimestamp;
    }
    if (k.panes !== undefined) k.panes.push(pane);
    else if (pane !== k.pane) (k.panes = new Array<PaneInfo>(k.timestamps.length).fill(k.pane)).push(pane);
    const value = element.value;
    const slot = value instanceof TaggedValue ? this.tagSlot(value.tag) : 0;
    k.items.push(slot === 0 ? value : (value as TaggedValue).value, pendingCode(j, slot, retraction));
    k.timestamps.push(timestamp);
    this.count++;
    if (window.maxTimestamp < this.minMax) this.minMax = window.maxTimestamp;
  }

  /** 1 + the index of `tag` in `tags` (added when new); 0 when there are MAX_TAGS already. */
  private tagSlot(tag: string): number {
    const tags = this.tags;
    for (let i = 0; i < tags.length; i++) if (tags[i] === tag) return i + 1;
    if (tags.length === MAX_TAGS) return 0;
    return tags.push(tag);
  }

  /** Every key's elements (keys in the order their first element arrived), leaving none waiting. */
  take(): KeyPending[] {
    const out = [...this.byKey.values()];
    this.byKey = new Map();
    this.count = 0;
    this.minMax = Number.POSITIVE_INFINITY;
    return out;
  }

  /** The elements of those of `keys` that have any, leaving the other keys' waiting. */
  takeKeys(keys: Iterable<StateKey>): KeyPending[] {
    const out: KeyPending[] = [];
    for (const ks of keys) {
      const k = this.byKey.get(ks);
      if (k === undefined) continue;
      this.byKey.delete(ks);
      this.count -= k.timestamps.length;
      out.push(k);
    }
    if (this.count === 0) this.minMax = Number.POSITIVE_INFINITY;
    return out;
  }

  /** Makes `minMaxTimestamp` exact again after `takeKeys` (one look at every waiting key); returns it. */
  tightenMinMax(): Instant {
    let m = Number.POSITIVE_INFINITY;
    for (const k of this.byKey.values()) if (k.minMax < m) m = k.minMax;
    this.minMax = m;
    return this.minMaxTimestamp;
  }
}
