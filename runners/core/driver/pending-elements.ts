import type { KV, StateKey } from '../../../sdk/kv.js';
import type { PaneInfo } from '../../../sdk/pane.js';
import type { Instant } from '../../../sdk/time.js';
import type { BoundedWindow } from '../../../sdk/window.js';

/** Columns of waiting elements: entries `0 .. length - 1` are in use (the arrays are kept, not shrunk). */
export interface PendingBatch {
  length: number;
  readonly stateKeys: StateKey[];
  readonly elements: KV<unknown, unknown>[];
  readonly timestamps: Instant[];
  readonly windows: BoundedWindow[];
  readonly panes: PaneInfo[];
  readonly retractions: boolean[];
}

function emptyBatch(): PendingBatch {
  return { length: 0, stateKeys: [], elements: [], timestamps: [], windows: [], panes: [], retractions: [] };
}

/**
 * Elements an aggregation took but has not added to window state yet, in arrival order, by column
 * (no object per element). WindowDriver keeps a batch of them when it merges windows once per key
 * and batch (see `WindowDriver`, "merging once per batch"). `take` hands the batch over and goes on
 * with a second set of columns, so elements that arrive while a batch is being added wait for the
 * next; `release` empties a batch taken (dropping its references) for reuse, so no column is
 * allocated again batch after batch.
 * @example
 * const p = new PendingElements();
 * p.push('k', kv('k', 1), 0, w, NO_FIRING, false);
 * const batch = p.take(); // batch.length === 1, p.length === 0
 * p.release(batch);
 */
export class PendingElements {
  private current = emptyBatch();
  private spare = emptyBatch();

  get length(): number {
    return this.current.length;
  }

  push(ks: StateKey, element: KV<unknown, unknown>, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    const b = this.current;
    const i = b.length++;
    b.stateKeys[i] = ks;
    b.elements[i] = element;
    b.timestamps[i] = timestamp;
    b.windows[i] = window;
    b.panes[i] = pane;
    b.retractions[i] = retraction;
  }

  /** The elements so far, leaving this empty (on the spare columns). Give the batch back with `release`. */
  take(): PendingBatch {
    const b = this.current;
    this.current = this.spare.length === 0 ? this.spare : emptyBatch();
    this.spare = b;
    return b;
  }

  /** Empties `b` (from `take`) and drops its references to elements and windows. */
  release(b: PendingBatch): void {
    for (let i = 0; i < b.length; i++) {
      b.stateKeys[i] = null;
      b.elements[i] = undefined as never;
      b.windows[i] = undefined as never;
      b.panes[i] = undefined as never;
    }
    b.length = 0;
  }
}
