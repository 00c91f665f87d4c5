import type { Clock } from '../../sdk/clock.js';
import type { Instant } from '../../sdk/time.js';

/**
 * A processing-time clock for tests that moves `step` ms at every read, and jumps to the time a
 * sleeper waits for (after one turn of the event loop). Not virtual: runners treat it as real time,
 * so a run without a TestStream still sees its `checkpointInterval` elapse, after a number of
 * clock reads instead of wall time.
 * @example new TickingClock(1_000_000, 1) // now() → 1_000_001, 1_000_002, …
 */
export class TickingClock implements Clock {
  readonly isVirtual = false;
  private t: Instant;
  constructor(
    start: Instant = 1_000_000,
    private readonly step = 1,
  ) {
    this.t = start;
  }
  now(): Instant {
    this.t += this.step;
    return this.t;
  }
  sleepUntil(t: Instant, signal?: AbortSignal): Promise<void> {
    if (!signal?.aborted && t > this.t) this.t = t;
    return new Promise((resolve) => setImmediate(resolve));
  }
}
