import { TIMESTAMP_MAX, TIMESTAMP_MIN, type Duration, type Instant } from '../time.js';
import { DEFAULT_MAX_FORWARD_JUMP, ForwardJumpGuard, type ForwardJumpStats } from './forward-jump-guard.js';

/**
 * Estimates a source's watermark from the event times it has seen: the maximum seen minus a fixed
 * out-of-orderness bound (Flink's BoundedOutOfOrderness, Spark's withWatermark delay). Per split
 * (e.g. Kafka partition), the source watermark is the minimum over splits; a split with no data for
 * `idleTimeout` ms of processing time stops holding the watermark back until it has data again.
 * Per split, the maximum is guarded by a {@link ForwardJumpGuard} (`maxForwardJump`, default 1 hour,
 * `Infinity` = off): one record dated far ahead of the others does not move the watermark.
 *
 * @example
 * const w = new WatermarkEstimator({ maxOutOfOrderness: seconds(5), idleTimeout: seconds(30) });
 * w.observe('p0', ts, now); w.current(now)
 */
export class WatermarkEstimator {
  private readonly maxOutOfOrderness: Duration;
  private readonly idleTimeout: Duration;
  private readonly maxForwardJump: Duration;
  /** Records held from the watermark by the forward-jump guard, over all splits. */
  readonly heldFromWatermark: ForwardJumpStats;
  private readonly splits = new Map<string, { guard: ForwardJumpGuard; lastSeen: Instant }>();
  private last: Instant = TIMESTAMP_MIN;

  constructor(options: { maxOutOfOrderness?: Duration; idleTimeout?: Duration; maxForwardJump?: Duration; heldFromWatermark?: ForwardJumpStats } = {}) {
    this.maxOutOfOrderness = options.maxOutOfOrderness ?? 0;
    this.idleTimeout = options.idleTimeout ?? Number.POSITIVE_INFINITY;
    this.maxForwardJump = options.maxForwardJump ?? DEFAULT_MAX_FORWARD_JUMP;
    this.heldFromWatermark = options.heldFromWatermark ?? { held: 0, largestLead: 0 };
    if (this.maxOutOfOrderness < 0) throw new RangeError('maxOutOfOrderness must be >= 0');
    if (!(this.maxForwardJump >= 0)) throw new RangeError('maxForwardJump must be >= 0');
  }

  private split(split: string, now: Instant): { guard: ForwardJumpGuard; lastSeen: Instant } {
    let s = this.splits.get(split);
    if (!s) this.splits.set(split, (s = { guard: new ForwardJumpGuard(this.maxForwardJump, this.heldFromWatermark), lastSeen: now }));
    return s;
  }

  /** Declares a split that has no data yet: it holds the watermark at -inf until data or idleness. */
  addSplit(split: string, now: Instant): void {
    this.split(split, now);
  }

  observe(split: string, timestamp: Instant, now: Instant): void {
    const s = this.split(split, now);
    s.guard.observe(timestamp);
    s.lastSeen = now;
  }

  /** Resuming: a split's {@link ForwardJumpGuard.top} saved by an interrupted read (see `top`). */
  restore(split: string, maxTs: Instant, secondTs: Instant | undefined, now: Instant): void {
    const s = this.split(split, now);
    s.guard.restore(maxTs, secondTs);
    s.lastSeen = now;
  }

  /** A split's largest event time and, while it is held from the watermark, the second largest (for a position). */
  top(split: string): { readonly maxTs: Instant; readonly secondTs?: Instant } | undefined {
    const s = this.splits.get(split);
    return s === undefined || s.guard.top().maxTs === TIMESTAMP_MIN ? undefined : s.guard.top();
  }

  /**
   * The largest timestamp observed in `split`, or undefined when it has seen none (or is unknown).
   * A checkpointed source stores it and gives it back to `observe` when it resumes, so its
   * watermark goes on as in an uninterrupted read.
   */
  highest(split: string): Instant | undefined {
    return this.top(split)?.maxTs;
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
      const confirmed = s.guard.confirmed();
      if (confirmed > maxAll) maxAll = confirmed;
      if (now - s.lastSeen >= this.idleTimeout) continue;
      active++;
      if (confirmed < min) min = confirmed;
    }
    // all splits idle: advance to what has been seen
    const base = active === 0 ? maxAll : min;
    const wm = base <= TIMESTAMP_MIN ? TIMESTAMP_MIN : base - this.maxOutOfOrderness;
    if (wm > this.last) this.last = wm;
    return this.last;
  }
}
