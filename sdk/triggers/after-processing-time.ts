import type { Duration, Instant } from '../time.js';
import { FINISHED } from '../internal/trigger-state.js';
import { defineTrigger } from './define-trigger.js';
import type { Trigger, TriggerState } from './trigger.js';

/**
 * Fires once processing time reaches a point after the first element of the pane: `plusDelayOf(d)`
 * waits d ms; `alignedTo(period, offset)` rounds that point up to the next multiple of `period`
 * (so all keys fire together, like a periodic report). Finishes after firing; wrap it in Repeatedly
 * to fire every period while data arrives.
 *
 * On the micro-batch runner, processing-time triggers are evaluated at batch boundaries, so firings
 * happen at the first boundary at or after the target time.
 *
 * @example Repeatedly(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(seconds(5)))
 */
export const AfterProcessingTime = {
  /** Fires once processing time reaches the arrival of the pane's first element (add `.plusDelayOf(d)` to wait `d` after it). */
  pastFirstElementInPane(): AfterProcessingTimeTrigger {
    return afterProcessingTime(0, undefined);
  },
};

/** What `AfterProcessingTime.pastFirstElementInPane()` returns: a trigger whose target time can be moved. */
export interface AfterProcessingTimeTrigger extends Trigger {
  /** The same trigger, waiting `delay` ms more after the first element's arrival. @throws RangeError when the total delay is negative or NaN. */
  plusDelayOf(delay: Duration): AfterProcessingTimeTrigger;
  /** The same trigger, firing at the next multiple of `period` (plus `offset`) at or after its target. @throws RangeError when `period` is not > 0 or `offset` is not a finite number. */
  alignedTo(period: Duration, offset?: Instant): AfterProcessingTimeTrigger;
}

interface Target {
  readonly target: Instant;
}

function afterProcessingTime(delay: Duration, align: { period: Duration; offset: Instant } | undefined): AfterProcessingTimeTrigger {
  if (!(delay >= 0)) throw new RangeError(`AfterProcessingTime delay must be >= 0, got ${delay}`);
  if (align && !(align.period > 0)) throw new RangeError(`AfterProcessingTime alignment period must be > 0, got ${align.period}`);
  if (align && !Number.isFinite(align.offset)) throw new RangeError(`AfterProcessingTime alignment offset must be a finite number, got ${align.offset}`);
  const targetFor = (now: Instant): Instant => {
    const t = now + delay;
    if (!align) return t;
    const r = (((t - align.offset) % align.period) + align.period) % align.period;
    return r === 0 ? t : t + align.period - r;
  };
  const target = (s: TriggerState) => (s.data as Target | undefined)?.target;
  const self: AfterProcessingTimeTrigger = defineTrigger<Omit<AfterProcessingTimeTrigger, 'orFinally'>>({
    name: `AfterProcessingTime(+${delay}ms${align ? `, aligned to ${align.period}ms` : ''})`,
    subTriggers: [],
    domain: 'processing',
    plusDelayOf: (d) => afterProcessingTime(delay + d, align),
    alignedTo: (period, offset = 0) => afterProcessingTime(delay, { period, offset }),
    init: () => ({ finished: false }),
    onElement(s, ctx) {
      if (s.finished || target(s) !== undefined) return s;
      const t = targetFor(ctx.processingTime);
      ctx.setProcessingTimeTimer(t);
      return { finished: false, data: { target: t } };
    },
    onMerge(states, ctx) {
      if (states.some((x) => x.finished)) return FINISHED;
      const targets = states.map(target).filter((t): t is number => t !== undefined);
      if (targets.length === 0) return { finished: false };
      // A loop, not Math.min(...targets): a merge may hold more windows than a call takes arguments.
      let t = targets[0]!;
      for (const x of targets) if (x < t) t = x;
      ctx.setProcessingTimeTimer(t);
      return { finished: false, data: { target: t } };
    },
    shouldFire(s, ctx) {
      const t = target(s);
      return !s.finished && t !== undefined && ctx.processingTime >= t;
    },
    onFire: () => FINISHED,
    continuation: () => self,
  });
  return self;
}
