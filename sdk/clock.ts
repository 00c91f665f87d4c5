import type { Instant } from './time.js';

/**
 * Processing time, injected. The SDK and runner cores read time only through a Clock, so tests drive
 * processing time as data (VirtualClock, TestStream) and real runs use the system clock.
 */
export interface Clock {
  /** The current processing time in ms since the epoch. */
  now(): Instant;
  /**
   * Resolves once `now() >= t`, or when `signal` aborts (then it resolves too; callers check the
   * signal). Real clocks sleep; the virtual clock resolves when it is advanced past `t`.
   */
  sleepUntil(t: Instant, signal?: AbortSignal): Promise<void>;
  /** True for clocks that only move when told to (tests): runners then never wait for real time. */
  readonly isVirtual: boolean;
}

/**
 * A clock that moves only when advanced: for tests and TestStream.
 * @example const c = new VirtualClock(0); c.advanceTo(5000); c.now() // 5000
 */
export class VirtualClock implements Clock {
  readonly isVirtual = true;
  private current: Instant;
  private waiters: { t: Instant; resolve: () => void }[] = [];
  constructor(start: Instant = 0) {
    this.current = start;
  }
  now(): Instant {
    return this.current;
  }
  /** Moves time forward to `t` (never backwards) and wakes the sleepers that are due. */
  advanceTo(t: Instant): void {
    if (t <= this.current) return;
    this.current = t;
    const due = this.waiters.filter((w) => w.t <= t);
    this.waiters = this.waiters.filter((w) => w.t > t);
    for (const w of due) w.resolve();
  }
  advanceBy(d: number): void {
    this.advanceTo(this.current + d);
  }
  sleepUntil(t: Instant, signal?: AbortSignal): Promise<void> {
    if (t <= this.current || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const w = { t, resolve };
      this.waiters.push(w);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}
