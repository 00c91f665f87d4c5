import { TIMESTAMP_MIN, hours, type Duration, type Instant } from '../time.js';

/** The default `maxForwardJump` of a source watermark: 1 hour. */
export const DEFAULT_MAX_FORWARD_JUMP: Duration = hours(1);

/** A guard's counts, for the run summary: records held from the watermark and the largest lead. */
export interface ForwardJumpStats {
  /** Records that arrived more than `maxForwardJump` ahead of every earlier record (held from the watermark). */
  held: number;
  /** The largest lead of such a record over the largest earlier event time, in ms (0 when none). */
  largestLead: Duration;
}

/**
 * The event time a source's watermark may follow, guarded against one extreme record: the largest
 * event time seen, unless it is more than `maxForwardJump` ahead of the second largest; then the
 * second largest. So one record dated far in the future (a clock set to 2099) does not move event
 * time, while a real jump (data resuming after a gap) moves it as soon as a second record confirms it
 * (a record at or beyond the jumped-to time minus `maxForwardJump`). Until two records are seen,
 * nothing is confirmed (`confirmed()` is the minimum timestamp). The held record itself is still
 * emitted; its window fires when the watermark gets there (at the latest at the end of a bounded input).
 * `maxForwardJump = Infinity` turns the guard off (the watermark follows the largest event time).
 *
 * @example
 * const g = new ForwardJumpGuard(hours(1));
 * g.observe(t0); g.observe(t0 + 1000); g.observe(Date.UTC(2099, 0)); g.confirmed() // t0 + 1000
 * @throws RangeError when `maxForwardJump` is negative or NaN.
 */
export class ForwardJumpGuard {
  private largest: Instant = TIMESTAMP_MIN;
  private second: Instant = TIMESTAMP_MIN;

  constructor(
    readonly maxForwardJump: Duration = DEFAULT_MAX_FORWARD_JUMP,
    readonly stats: ForwardJumpStats = { held: 0, largestLead: 0 },
  ) {
    if (!(maxForwardJump >= 0)) throw new RangeError(`maxForwardJump must be >= 0 ms, got ${maxForwardJump}`);
  }

  /** Takes one (valid) event time into account. */
  observe(t: Instant): void {
    if (t > this.largest) {
      if (this.largest !== TIMESTAMP_MIN && t - this.largest > this.maxForwardJump) {
        this.stats.held++;
        if (t - this.largest > this.stats.largestLead) this.stats.largestLead = t - this.largest;
      }
      this.second = this.largest;
      this.largest = t;
    } else if (t > this.second) this.second = t;
  }

  /** The event time the watermark may follow (before subtracting the out-of-orderness bound). */
  confirmed(): Instant {
    if (this.maxForwardJump === Number.POSITIVE_INFINITY) return this.largest;
    if (this.second === TIMESTAMP_MIN) return TIMESTAMP_MIN;
    return this.largest - this.second > this.maxForwardJump ? this.second : this.largest;
  }

  /**
   * What a source position needs to go on exactly (plain data): the largest event time, and the
   * second largest only while the largest is held (otherwise the watermark's future does not depend on it).
   */
  top(): { readonly maxTs: Instant; readonly secondTs?: Instant } {
    return this.confirmed() === this.largest ? { maxTs: this.largest } : { maxTs: this.largest, secondTs: this.second };
  }

  /** Restores `top()` of an interrupted read (without counting anything as held): `confirmed()` goes on as before. */
  restore(maxTs: Instant, secondTs: Instant = maxTs): void {
    this.largest = maxTs;
    this.second = Math.min(secondTs, maxTs);
  }
}

/** "1 record ahead of event time by 82 years held from the watermark" (undefined when none was). */
export function describeHeldRecords(stats: ForwardJumpStats): string | undefined {
  if (stats.held === 0) return undefined;
  return `${stats.held} record${stats.held === 1 ? '' : 's'} ahead of event time by up to ${roughDuration(stats.largestLead)} held from the watermark`;
}

function roughDuration(ms: Duration): string {
  const units: readonly [number, string][] = [
    [365.25 * 86_400_000, 'year'],
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(ms / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'}`;
  }
  return `${ms} ms`;
}
