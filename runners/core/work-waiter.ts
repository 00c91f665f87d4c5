import type { Clock } from '../../sdk/clock.js';
import type { Instant } from '../../sdk/time.js';
import type { SourcePump } from './source-pump.js';

/**
 * How a runner's loop waits for something to do: until a source pump that is still being read has
 * data (or ends), until a processing time passes, until the run is cancelled, or until
 * {@link interrupt} (a stop was asked for).
 *
 * The sleep until a given time is shared by every wait that asks for the same time, and the
 * cancellation is listened to once per run: a loop that waits many times before one deadline (a fast
 * source polled in small batches during a batch interval) sets one timer per deadline, not one per
 * wait. Nothing long-lived is raced per wait (that would keep one reaction per wait until the run
 * ends): cancellation and interrupts resolve the current wait's own promise. `close()` cancels the
 * pending sleep, so a finished run keeps no timer alive.
 */
export class WorkWaiter {
  private sleepFor: Instant | undefined;
  private sleep: Promise<void> | undefined;
  private cancelSleep: AbortController | undefined;
  private wakeWait: (() => void) | undefined;

  /**
   * @param live whether pump i is still being read (a finished source's pump has ended for good)
   * @param idlePollMs how long to sleep when nothing at all could wake the loop
   */
  constructor(
    private readonly clock: Clock,
    private readonly pumps: readonly SourcePump[],
    private readonly live: (i: number) => boolean,
    private readonly signal: AbortSignal,
    private readonly idlePollMs: number,
  ) {
    if (!signal.aborted) signal.addEventListener('abort', () => this.interrupt(), { once: true });
  }

  /**
   * Resolves when a live pump has data or ended, `until` (processing time) passes, the run is
   * cancelled, or {@link interrupt} is called.
   */
  async wait(until: Instant | undefined): Promise<void> {
    if (this.signal.aborted) return;
    const waits: Promise<void>[] = [];
    for (let i = 0; i < this.pumps.length; i++) {
      if (!this.live(i)) continue;
      const p = this.pumps[i]!;
      if (p.hasData || p.isEnded) return;
      waits.push(p.whenData());
    }
    if (until !== undefined) waits.push(this.sleepUntil(until));
    else if (waits.length === 0) waits.push(this.sleepUntil(this.clock.now() + this.idlePollMs));
    waits.push(new Promise<void>((resolve) => (this.wakeWait = resolve)));
    await Promise.race(waits);
    this.wakeWait = undefined;
  }

  /** Ends the wait in progress, if any (a stop was asked for: the loop must reach its next boundary). */
  interrupt(): void {
    this.wakeWait?.();
  }

  /** Cancels the pending sleep. */
  close(): void {
    this.cancelSleep?.abort();
    this.cancelSleep = undefined;
    this.sleep = undefined;
    this.sleepFor = undefined;
  }

  private sleepUntil(t: Instant): Promise<void> {
    if (this.sleep === undefined || this.sleepFor !== t) {
      this.close();
      this.cancelSleep = new AbortController();
      this.sleepFor = t;
      this.sleep = this.clock.sleepUntil(t, this.cancelSleep.signal);
    }
    return this.sleep;
  }
}
