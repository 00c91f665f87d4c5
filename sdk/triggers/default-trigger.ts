import { AfterWatermark } from './after-watermark.js';
import { Repeatedly } from './repeatedly.js';
import { defineTrigger } from './define-trigger.js';
import type { Trigger } from './trigger.js';

/**
 * Beam's default: an ON_TIME pane when the watermark passes the end of the window, then a LATE pane
 * for every late element within the allowed lateness.
 */
export function DefaultTrigger(): Trigger {
  const { orFinally: _, ...t } = Repeatedly(AfterWatermark());
  return defineTrigger({ ...t, name: 'DefaultTrigger', continuation: DefaultTrigger });
}
