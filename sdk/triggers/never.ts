import { UNFINISHED } from '../internal/trigger-state.js';
import { defineTrigger } from './define-trigger.js';
import type { Trigger } from './trigger.js';

/**
 * Never fires by itself. The window is still emitted once, as its final pane, when it expires
 * (watermark past end of window plus allowed lateness) and holds data.
 * @example Window.into(GlobalWindows()).triggering(Never())
 */
export function Never(): Trigger {
  const self: Trigger = defineTrigger({
    name: 'Never',
    subTriggers: [],
    init: () => UNFINISHED,
    onElement: (s) => s,
    onMerge: () => UNFINISHED,
    shouldFire: () => false,
    onFire: (s) => s,
    continuation: () => self,
  });
  return self;
}
