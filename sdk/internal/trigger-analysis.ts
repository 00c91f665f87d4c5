/**
 * Internal: what a trigger tree depends on, read from its leaves' `domain`. The runner core uses it to
 * skip work a trigger cannot notice; tests use it to check the built-in triggers. Not part of the
 * public API (no barrel re-exports this folder).
 * @example if (!isElementSensitive(trigger)) skipOnElementForRestOfPane();
 */
import type { Trigger } from '../triggers/trigger.js';

/** The time domains a trigger tree depends on; runners use it to validate and to report capabilities. */
export function triggerTimeDomains(t: Trigger): Set<'event' | 'processing' | 'count'> {
  const out = new Set<'event' | 'processing' | 'count'>();
  const visit = (x: Trigger) => {
    if (x.domain) out.add(x.domain);
    x.subTriggers.forEach(visit);
  };
  visit(t);
  return out;
}

/**
 * True when a trigger tree's decisions can change with each element (it counts elements, or it is a
 * custom trigger of unknown behaviour). Otherwise `onElement` after the first element of a pane
 * changes nothing, and the driver may skip it (and the re-evaluation) for the rest of the pane.
 */
export function isElementSensitive(t: Trigger): boolean {
  if (t.subTriggers.length === 0) return t.domain === 'count' || (t.domain === undefined && t.name !== 'Never');
  return t.subTriggers.some(isElementSensitive);
}

/**
 * True when a trigger tree may read processing time: it has a processing-time part, or a custom leaf
 * of unknown behaviour. Otherwise its decisions depend only on elements and the watermark.
 */
export function readsProcessingTime(t: Trigger): boolean {
  if (t.subTriggers.length === 0) return t.domain === 'processing' || (t.domain === undefined && t.name !== 'Never');
  return t.subTriggers.some(readsProcessingTime);
}
