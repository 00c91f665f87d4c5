import type { Instant } from '../../../sdk/time.js';
import type { StateKey } from '../../../sdk/kv.js';
import { MinHeap } from './min-heap.js';

/** A timer as queued: what to call back and for which key and namespace (window). */
export interface QueuedTimer {
  readonly time: Instant;
  readonly key: StateKey;
  readonly ns: string;
  readonly id: string;
}

/**
 * Timers of one step in one time domain, earliest first. Entries are not removed when a timer is
 * moved or cleared: the owner keeps the authoritative set in its keyed state and `isLive` filters
 * stale entries as they surface. So timers are snapshotted with state and rebuilt on restore.
 */
export class TimerQueue {
  private readonly heap = new MinHeap<QueuedTimer>((t) => t.time);

  constructor(private readonly isLive: (t: QueuedTimer) => boolean) {}

  add(t: QueuedTimer): void {
    this.heap.push(t);
  }

  /** The earliest live timer's time, or undefined. */
  peekTime(): Instant | undefined {
    this.dropStale();
    return this.heap.peek()?.time;
  }

  /** Removes and returns the earliest live timer if `due(time)`. */
  popDue(due: (time: Instant) => boolean): QueuedTimer | undefined {
    this.dropStale();
    const top = this.heap.peek();
    if (!top || !due(top.time)) return undefined;
    this.heap.pop();
    return top;
  }

  clear(): void {
    this.heap.clear();
  }

  private dropStale(): void {
    for (let top = this.heap.peek(); top && !this.isLive(top); top = this.heap.peek()) this.heap.pop();
  }
}
