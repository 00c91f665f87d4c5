import type { Instant } from '../../../sdk/time.js';
import { windowDoneAt } from '../util/window-end.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import { MinHeap } from '../timers/min-heap.js';

/**
 * The last instant of side-input window `w` for readiness: its maxTimestamp, but at most TIMESTAMP_MAX − 1,
 * as aggregations fire and collect windows (`windowDoneAt`; a window near TIMESTAMP_MAX, e.g. a
 * FixedWindows window of an element at TIMESTAMP_MAX, ends past it). So a side watermark at the end of
 * time makes every side window ready; before, the elements waiting for such a window were never released.
 * @example sideWindowEnd(intervalWindow(TIMESTAMP_MAX - 991, TIMESTAMP_MAX + 9)) // TIMESTAMP_MAX - 1
 */
export function sideWindowEnd(w: BoundedWindow): Instant {
  return windowDoneAt(w);
}

/** A held main-input element, with the side-input window it reads from each side input. */
interface Held {
  readonly wv: WindowedValue<unknown>;
  readonly sideWindows: readonly BoundedWindow[];
  /** Arrival order. */
  readonly seq: number;
  released: boolean;
}

/** The elements waiting for one side-input window of one side input. */
interface Queue {
  readonly window: BoundedWindow;
  readonly held: Held[];
}

/**
 * Main-input elements of a ParDo held back until every side-input window they read is ready,
 * queued by the first side window each still waits for. A side window that becomes ready (a pane
 * arrived, or the side watermark passed its end) releases its own queue only, and readiness never
 * goes back; so each held element is looked at once per side window it waited for, and holding and
 * releasing N elements costs O(N log N) at worst (sorting a release back into arrival order), never
 * N per side-input element or watermark step.
 *
 * @example
 * const held = new HeldElements(1, (side, w) => ready(side, w));
 * held.hold(wv, [sideWindow], 0);
 * for (const wv of held.releaseBefore(0, sideWatermark)) process(wv); // in arrival order
 */
export class HeldElements {
  /** Per side input: the queues by side window id. */
  private readonly queues: Map<string, Queue>[];
  /** Per side input: the queues by their window's end (for the side watermark); stale entries are skipped. */
  private readonly byEnd: MinHeap<Queue>[];
  /** Every held element by timestamp (released ones are dropped as they surface): the watermark hold. */
  private readonly holds = new MinHeap<Held>((h) => h.wv.timestamp);
  private seq = 0;
  private count = 0;

  /** @param isReady whether side input `side`'s window `window` is ready (once true, true for good) */
  constructor(
    sides: number,
    private readonly isReady: (side: number, window: BoundedWindow) => boolean,
  ) {
    this.queues = Array.from({ length: sides }, () => new Map<string, Queue>());
    this.byEnd = Array.from({ length: sides }, () => new MinHeap<Queue>((q) => sideWindowEnd(q.window)));
  }

  /** Number of elements held. */
  get size(): number {
    return this.count;
  }

  /**
   * Holds `wv` until every window of `sideWindows` (one per side input) is ready.
   * @param side a side input whose window is not ready now
   */
  hold(wv: WindowedValue<unknown>, sideWindows: readonly BoundedWindow[], side: number): void {
    const h: Held = { wv, sideWindows, seq: this.seq++, released: false };
    this.count++;
    this.holds.push(h);
    this.enqueue(h, side);
  }

  /** Window `windowId` of side input `side` became ready: the elements now free of every side input, in arrival order. */
  releaseWindow(side: number, windowId: string): WindowedValue<unknown>[] {
    const q = this.queues[side]!.get(windowId);
    if (!q) return [];
    this.queues[side]!.delete(windowId);
    return this.release([q]);
  }

  /** The watermark of side input `side` moved to `wm`: releases the queues of its windows that end before `wm`. */
  releaseBefore(side: number, wm: Instant): WindowedValue<unknown>[] {
    const heap = this.byEnd[side]!;
    const queues = this.queues[side]!;
    const freed: Queue[] = [];
    for (let q = heap.peek(); q && sideWindowEnd(q.window) < wm; q = heap.peek()) {
      heap.pop();
      if (queues.get(q.window.id) !== q) continue; // released by a pane already
      queues.delete(q.window.id);
      freed.push(q);
    }
    return freed.length === 0 ? [] : this.release(freed);
  }

  /** Every element still held, in arrival order (for a checkpoint; holding them again in this order restores the queues). */
  heldInOrder(): WindowedValue<unknown>[] {
    const all: Held[] = [];
    for (const side of this.queues) for (const q of side.values()) for (const h of q.held) all.push(h);
    all.sort((a, b) => a.seq - b.seq);
    return all.map((h) => h.wv);
  }

  /** The earliest timestamp of a held element (it holds the step's output watermark), or undefined. */
  earliestTimestamp(): Instant | undefined {
    let h = this.holds.peek();
    while (h && h.released) {
      this.holds.pop();
      h = this.holds.peek();
    }
    return h?.wv.timestamp;
  }

  private enqueue(h: Held, side: number): void {
    const w = h.sideWindows[side]!;
    let q = this.queues[side]!.get(w.id);
    if (!q) {
      q = { window: w, held: [] };
      this.queues[side]!.set(w.id, q);
      this.byEnd[side]!.push(q);
    }
    q.held.push(h);
  }

  /** Moves each element of `freed` to the next side window it waits for, or out (in arrival order). */
  private release(freed: readonly Queue[]): WindowedValue<unknown>[] {
    const out: Held[] = [];
    for (const q of freed) {
      next: for (const h of q.held) {
        for (let s = 0; s < h.sideWindows.length; s++) {
          if (!this.isReady(s, h.sideWindows[s]!)) {
            this.enqueue(h, s);
            continue next;
          }
        }
        h.released = true;
        out.push(h);
      }
    }
    this.count -= out.length;
    // Several queues, or elements that waited for another side input first, interleave: back to arrival order.
    out.sort((a, b) => a.seq - b.seq);
    return out.map((h) => h.wv);
  }
}
