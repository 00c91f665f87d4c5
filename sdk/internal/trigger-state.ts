/**
 * Internal: trigger-state helpers shared by the built-in triggers. Not part of the public API (no
 * barrel re-exports this folder); a custom trigger writes its states as plain `TriggerState` objects.
 * @example const s = withSub(state, 0, FINISHED); // child 0 of a composite trigger finished
 */
import type { TriggerState } from '../triggers/trigger.js';

/** The state of a trigger that has finished: its window closes. */
export const FINISHED: TriggerState = Object.freeze({ finished: true });
/** The state of a trigger still waiting; the usual `init()`. */
export const UNFINISHED: TriggerState = Object.freeze({ finished: false });

/** Replaces child i of a composite state. */
export function withSub(state: TriggerState, i: number, sub: TriggerState): TriggerState {
  if (state.subs![i] === sub) return state;
  const subs = state.subs!.slice();
  subs[i] = sub;
  return { ...state, subs };
}
