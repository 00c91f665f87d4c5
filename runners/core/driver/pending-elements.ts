import type { KV, StateKey } from '../../../sdk/kv.js';
import type { PaneInfo } from '../../../sdk/pane.js';
import type { Instant } from '../../../sdk/time.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import { sameWindow } from '../util/same-window.js';

/**
 * One key's waiting elements, in arrival order: `items` holds 2 entries per element (its value, and its
 * code: the index of its window in `windows` times 2, plus 1 when it is a retraction) and `timestamps` its
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
}

/** Entries per element in `KeyPending.items`. */
export const PENDING_STRIDE = 2;

/** The window of `k`'s `e`-th waiting element. */
export function pendingWindow(k: KeyPending, e: number): BoundedWindow {
  return k.windows[(k.items[e * PENDING_STRIDE + 1] as number) >> 1]!;
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
 * const [k] = p.take(); // k.windows: [w], k.items: [1, 0], k.timestamps: [0], k.pane: NO_FIRING; p.length === 0
 */
export class PendingElements {
  private byKey = new Map<StateKey, KeyPending>();
  private count = 0;
  /** A lower bound of the earliest `maxTimestamp` of the waiting elements' windows (exact until `takeKeys`). */
  private minMax: Instant = Number.POSITIVE_INFINITY;

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
      this.byKey.set(ks, (k = { ks, key: element.key, minMax: window.maxTimestamp, windows: [window], last: window, items: [], timestamps: [], pane, panes: undefined }));
      j = 0;
    } else if (sameWindow(k.last, window)) j = k.windows.length - 1;
    else {
      j = k.windows.push(window) - 1;
      k.last = window;
      if (window.maxTimestamp < k.minMax) k.minMax = window.maxTimestamp;
    }
    if (k.panes !== undefined) k.panes.push(pane);
    else if (pane !== k.pane) (k.panes = new Array<PaneInfo>(k.timestamps.length).fill(k.pane)).push(pane);
    k.items.push(element.value, retraction ? 2 * j + 1 : 2 * j);
    k.timestamps.push(timestamp);
    this.count++;
    if (window.maxTimestamp < this.minMax) this.minMax = window.maxTimestamp;
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
