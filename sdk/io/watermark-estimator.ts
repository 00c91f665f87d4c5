import { TIMESTAMP_MAX, TIMESTAMP_MIN, type Duration, type Instant } from '../time.js';

/**
 * Estimates a source's watermark from the event times it has seen: the maximum seen minus a fixed
 * out-of-orderness bound (Flink's BoundedOutOfOrderness, Spark's withWatermark delay). Per split
 * (e.g. Kafka partition), the source watermark is the minimum over splits; a split with no data for
 * `idleTimeout` ms of processing time stops holding the watermark back until it has data again.
 *
 * @example
 * const w = new WatermarkEstimator({ maxOutOfOrderness: seconds(5), idleTimeout: seconds(30) });
 * w.observe('p0', ts, now); w.current(now)
 */
export class WatermarkEstimator {
  private readonly maxOutOfOrderness: Duration;
  private readonly idleTimeout: Duration;
  private readonly splits = new Map<string, { maxTs: Instant; lastSeen: Instant }>();
  private last: Instant = TIMESTAMP_MIN;

  constructor(options: { maxOutOfOrderness?: Duration; idleTimeout?: Duration } = {}) {
    this.maxOutOfOrderness = options.maxOutOfOrderness ?? 0;
    this.idleTimeout = options.idleTimeout ?? Number.POSITIVE_INFINITY;
    if (this.maxOutOfOrderness < 0) throw new RangeError('maxOutOfOrderness must be >= 0');
  }

  /** Declares a split that has no data yet: it holds the watermark at -inf until data or idleness. */
  addSplit(split: string, now: Instant): void {
    if (!this.splits.has(split)) this.splits.set(split, { maxTs: TIMESTAMP_MIN, lastSeen: now });
  }

  observe(split: string, timestamp: Instant, now: Instant): void {
    const s = this.splits.get(split);
    if (!s) this.splits.set(split, { maxTs: timestamp, lastSeen: now });
    else {
      if (timestamp > s.maxTs) s.maxTs = timestamp;
      s.lastSeen = now;
    }
  }

  /**
   * The largest timestamp observed in `split`, or undefined when it has seen none (or is unknown).
   * A checkpointed source stores it and gives it back to `observe` when it resumes, so its
   * watermark goes on as in an uninterrupted read.
   */
  highest(split: string): Instant | undefined {
    const s = this.splits.get(split);
    return s === undefined || s.maxTs === TIMESTAMP_MIN ? undefined : s.maxTs;
  }

  /** Marks a split as seen (e.g. polled with no new records but known to be at its end). */
  touch(split: string, now: Instant): void {
    const s = this.splits.get(split);
    if (s) s.lastSeen = now;
  }

  /** The watermark now; never moves backwards. */
  current(now: Instant): Instant {
    let min = TIMESTAMP_MAX;
    let active = 0;
    let maxAll = TIMESTAMP_MIN;
    for (const s of this.splits.values()) {
      if (s.maxTs > maxAll) maxAll = s.maxTs;
      if (now - s.lastSeen >= this.idleTimeout) continue;
      active++;
      if (s.maxTs < min) min = s.maxTs;
    }
    // all splits idle: advance to what has been seen
    const base = active === 0 ? maxAll : min;
    const wm = base <= TIMESTAMP_MIN ? TIMESTAMP_MIN : base - this.maxOutOfOrderness;
    if (wm > this.last) this.last = wm;
    return this.last;
  }
}
