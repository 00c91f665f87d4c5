import { FINISHED, UNFINISHED, withSub } from '../internal/trigger-state.js';
import { defineTrigger } from './define-trigger.js';
import type { Trigger, TriggerContext, TriggerState } from './trigger.js';

const passed = (ctx: TriggerContext) => ctx.inputWatermark > ctx.window.maxTimestamp;

/**
 * Fires once when the watermark passes the end of the window (the ON_TIME pane), then finishes.
 * Optionally fires speculative EARLY panes before, and LATE panes after for late data: the early and
 * late sub-triggers repeat (they are reset each time they finish).
 *
 * @example AfterWatermark().withEarlyFirings(AfterCount(100)).withLateFirings(AfterCount(1))
 */
export const AfterWatermark: AfterWatermarkFactory = Object.assign(() => afterWatermark(undefined, undefined), {
  /** @deprecated Use `AfterWatermark()`. This alias goes in the next release. */
  pastEndOfWindow: (): AfterWatermarkTrigger => afterWatermark(undefined, undefined),
});

/** {@link AfterWatermark}: a call, plus its deprecated alias. */
export interface AfterWatermarkFactory {
  (): AfterWatermarkTrigger;
  /** @deprecated Use `AfterWatermark()`. This alias goes in the next release. */
  pastEndOfWindow(): AfterWatermarkTrigger;
}

export interface AfterWatermarkTrigger extends Trigger {
  withEarlyFirings(early: Trigger): AfterWatermarkTrigger;
  withLateFirings(late: Trigger): AfterWatermarkTrigger;
}

interface Phase {
  readonly late: boolean;
}

function afterWatermark(early: Trigger | undefined, late: Trigger | undefined): AfterWatermarkTrigger {
  if (!early && !late) return onTimeOnly();
  const name = `AfterWatermark.pastEndOfWindow()${early ? `.withEarlyFirings(${early.name})` : ''}${late ? `.withLateFirings(${late.name})` : ''}`;
  const E = 0;
  const L = 1;
  const phase = (s: TriggerState) => (s.data as Phase).late;
  return defineTrigger<Omit<AfterWatermarkTrigger, 'orFinally'>>({
    name,
    subTriggers: [early, late].filter((t): t is Trigger => t !== undefined),
    domain: 'event',
    withEarlyFirings: (e) => afterWatermark(e, late),
    withLateFirings: (l) => afterWatermark(early, l),
    init: () => ({ finished: false, data: { late: false }, subs: [early ? early.init() : FINISHED, late ? late.init() : FINISHED] }),
    onElement(s, ctx) {
      if (s.finished) return s;
      if (!phase(s)) {
        ctx.setEventTimeTimer(ctx.window.maxTimestamp);
        return early ? withSub(s, E, early.onElement(s.subs![E]!, ctx)) : s;
      }
      return late ? withSub(s, L, late.onElement(s.subs![L]!, ctx)) : s;
    },
    onMerge(states, ctx) {
      // A merged window is in the late phase if any part of it already had its on-time pane.
      const isLate = states.some((x) => (x.data as Phase).late) && passed(ctx);
      if (!isLate) ctx.setEventTimeTimer(ctx.window.maxTimestamp);
      const subs = [
        // Parts already in the late phase have a finished early trigger: they start it afresh.
        early ? early.onMerge(states.map((x) => ((x.data as Phase).late ? early.init() : x.subs![E]!)), ctx) : FINISHED,
        late ? late.onMerge(states.map((x) => x.subs![L]!), ctx) : FINISHED,
      ];
      return { finished: isLate && !late, data: { late: isLate }, subs };
    },
    shouldFire(s, ctx) {
      if (s.finished) return false;
      if (!phase(s)) return passed(ctx) || (early !== undefined && early.shouldFire(s.subs![E]!, ctx));
      return late !== undefined && late.shouldFire(s.subs![L]!, ctx);
    },
    onFire(s, ctx) {
      if (!phase(s)) {
        if (passed(ctx)) {
          // The ON_TIME pane: move to the late phase (or finish when there is no late trigger).
          return { finished: !late, data: { late: true }, subs: [FINISHED, late ? late.init() : FINISHED] };
        }
        const next = early!.onFire(s.subs![E]!, ctx);
        return withSub(s, E, next.finished ? early!.init() : next);
      }
      const next = late!.onFire(s.subs![L]!, ctx);
      return withSub(s, L, next.finished ? late!.init() : next);
    },
    continuation: () => afterWatermark(early?.continuation(), late?.continuation()),
  });
}

const ON_TIME_ONLY = new WeakSet<Trigger>();

/**
 * True for `AfterWatermark()` without early or late firings: one ON_TIME pane per
 * window, then finished (runners may then share work between overlapping windows).
 */
export function isOnTimeOnly(t: Trigger): boolean {
  return ON_TIME_ONLY.has(t);
}

function onTimeOnly(): AfterWatermarkTrigger {
  const t: AfterWatermarkTrigger = defineTrigger<Omit<AfterWatermarkTrigger, 'orFinally'>>({
    name: 'AfterWatermark.pastEndOfWindow()',
    subTriggers: [],
    domain: 'event',
    withEarlyFirings: (e) => afterWatermark(e, undefined),
    withLateFirings: (l) => afterWatermark(undefined, l),
    init: () => UNFINISHED,
    onElement(s, ctx) {
      if (!s.finished) ctx.setEventTimeTimer(ctx.window.maxTimestamp);
      return s;
    },
    onMerge(states, ctx) {
      const finished = states.some((x) => x.finished) && passed(ctx);
      if (!finished) ctx.setEventTimeTimer(ctx.window.maxTimestamp);
      return finished ? FINISHED : UNFINISHED;
    },
    shouldFire: (s, ctx) => !s.finished && passed(ctx),
    onFire: () => FINISHED,
    continuation: () => onTimeOnly(),
  });
  ON_TIME_ONLY.add(t);
  return t;
}
