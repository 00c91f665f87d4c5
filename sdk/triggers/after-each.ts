import { withSub } from '../internal/trigger-state.js';
import { defineTrigger } from './define-trigger.js';
import type { Trigger, TriggerState } from './trigger.js';

/**
 * Runs its sub-triggers one after another: fires when the current one fires, moves to the next when
 * it finishes, and finishes after the last.
 * @throws RangeError with no sub-triggers.
 * @example AfterEach(AfterCount(2), AfterCount(3))  // panes after 2 and then 3 more elements
 */
export const AfterEach: AfterEachFactory = Object.assign(afterEach, {
  /** @deprecated Use `AfterEach(...subs)`. This alias goes in the next release. */
  inOrder: (...subs: Trigger[]): Trigger => afterEach(...subs),
});

/** {@link AfterEach}: a call, plus its deprecated alias. */
export interface AfterEachFactory {
  (...subs: Trigger[]): Trigger;
  /** @deprecated Use `AfterEach(...subs)`. This alias goes in the next release. */
  inOrder(...subs: Trigger[]): Trigger;
}

function afterEach(...subs: Trigger[]): Trigger {
    if (subs.length === 0) throw new RangeError('AfterEach needs at least one trigger');
    const index = (s: TriggerState) => s.data as number;
    return defineTrigger({
      name: `AfterEach(${subs.map((t) => t.name).join(', ')})`,
      subTriggers: subs,
      init: () => ({ finished: false, data: 0, subs: subs.map((t) => t.init()) }),
      onElement(s, ctx) {
        if (s.finished) return s;
        const i = index(s);
        return withSub(s, i, subs[i]!.onElement(s.subs![i]!, ctx));
      },
      onMerge(states, ctx) {
        // Continue from the least advanced of the merged windows.
        // A loop, not Math.min(...): a merge may hold more windows than a call takes arguments.
        let i = Infinity;
        for (const x of states) i = Math.min(i, index(x));
        if (i >= subs.length) return { finished: true, data: i, subs: states[0]!.subs! };
        // States further ahead have sub-trigger i finished: it restarts for them, so the merge is not stuck.
        const merged = subs.map((t, j) => (j === i ? t.onMerge(states.map((x) => (index(x) === i ? x.subs![j]! : t.init())), ctx) : t.init()));
        return { finished: false, data: i, subs: merged };
      },
      shouldFire(s, ctx) {
        if (s.finished) return false;
        const i = index(s);
        return subs[i]!.shouldFire(s.subs![i]!, ctx);
      },
      onFire(s, ctx) {
        const i = index(s);
        const next = subs[i]!.onFire(s.subs![i]!, ctx);
        const fired = withSub(s, i, next);
        if (!next.finished) return fired;
        const j = i + 1;
        return { finished: j >= subs.length, data: j, subs: fired.subs! };
      },
      continuation: () => afterEach(...subs.map((t) => t.continuation())),
    });
}
