import type { Clock } from '../sdk/clock.js';
import type { Instant } from '../sdk/time.js';

/**
 * The real clock: the only place runners read wall time or set real timers. The SDK and the runner
 * core receive it as a Clock and never read time themselves.
 */
export class SystemClock implements Clock {
  readonly isVirtual = false;
  now(): Instant {
    return Date.now();
  }
  sleepUntil(t: Instant, signal?: AbortSignal): Promise<void> {
    const d = t - Date.now();
    if (d <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, d);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/**
 * How a source pump waits after a source answered "nothing yet": a short real sleep on the system
 * clock; on a virtual clock, just a turn of the event loop (virtual time only moves when told to).
 */
export function idleWait(clock: Clock): Promise<void> {
  if (clock.isVirtual) return new Promise((resolve) => setImmediate(resolve));
  return clock.sleepUntil(clock.now() + 5);
}

/**
 * One turn of the event loop (timers, I/O and abort events queued meanwhile run first). A runner's
 * loop takes one now and then, so a run that never waits for I/O (in-memory sources, a virtual clock)
 * still sees a cancellation sent from a timer or a signal handler.
 */
export function eventLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
