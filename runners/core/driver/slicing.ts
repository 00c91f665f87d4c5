import type { CombineFn } from '../../../sdk/combine-fn.js';
import type { PCollection } from '../../../sdk/pcollection.js';
import type { TransformNode } from '../../../sdk/graph.js';
import { isOnTimeOnly } from '../../../sdk/triggers/after-watermark.js';
import { slidingShape, type SlidingShape } from '../../../sdk/windows/sliding-windows.js';

/** How a Combine over sliding windows is computed from slices (see SlicedWindowDriver). */
export interface Slicing extends SlidingShape {
  readonly combineFn: CombineFn<unknown, unknown, unknown>;
}

/**
 * Whether a Combine step can keep one accumulator per key and *slice* (a period of its sliding
 * windows) instead of one per key and window, and so add each element once instead of once per
 * window (Flink's sliced windows). It can when its output is exactly what per-window state would give:
 * - its input windows are SlidingWindows of whole ms whose period divides their size, assigned by the Window.into
 *   step right before it (so every element reaches it in all of its windows, one copy after another;
 *   a ParDo in between might drop or change some copies), with no retraction records upstream;
 * - each window fires exactly once, when the watermark passes its end: the default trigger or
 *   AfterWatermark() alone, no allowed lateness (late data is dropped per window, as
 *   ever), output timestamps at the end of the window, and not retracting.
 * Otherwise undefined, and the step keeps state per window. The answer is part of the step's
 * checkpoint fingerprint, since the two keep different state.
 * @example slicingOf(countNode) // { size: 10000, period: 2000, offset: 0, combineFn } after Window.into(SlidingWindows(10_000, 2_000))
 */
export function slicingOf(node: TransformNode): Slicing | undefined {
  const p = node.payload;
  if (p?.kind !== 'combine' || p.defaultWhenEmpty) return undefined;
  const input = node.inputs[0]!;
  const s = input.windowing;
  const shape = slidingShape(s.windowFn);
  if (!shape || shape.size % shape.period !== 0 || shape.size === shape.period) return undefined;
  // Whole ms only: with a fractional size or period, window bounds near TIMESTAMP_MAX/MIN (whole ms there)
  // round, and SlidingWindows moves or merges such windows to keep them valid (windowAround), which slices
  // computed from the element's slice start could not follow (before: a RangeError failed the run).
  if (!Number.isInteger(shape.size) || !Number.isInteger(shape.period) || !Number.isInteger(shape.offset)) return undefined;
  const trigger = (s.triggerIsDefault && s.trigger.name === 'DefaultTrigger') || isOnTimeOnly(s.trigger);
  if (!trigger || s.allowedLateness !== 0 || s.timestampCombiner !== 'END_OF_WINDOW' || s.accumulationMode === 'retracting') return undefined;
  const producer = input.producer.payload;
  if (producer?.kind !== 'window' || !producer.assign || input.tag !== 'main' || carriesRetractions(input.producer.inputs[0]!)) return undefined;
  return { ...shape, combineFn: p.combineFn };
}

/**
 * True when `pc` may hold retraction records: an aggregation upstream of it fired in retracting mode
 * and only element-wise steps (which pass the flag on) lie in between. The first aggregation in
 * retracting mode emits retractions but does not receive any.
 */
export function carriesRetractions(pc: PCollection<unknown>): boolean {
  const node = pc.producer;
  switch (node.payload?.kind) {
    case 'gbk':
    case 'combine':
      return pc.tag === 'main' && node.inputs[0]!.windowing.accumulationMode === 'retracting';
    case 'pardo':
    case 'window':
    case 'flatten':
      return pc.tag !== 'deadLetter' && node.inputs.some(carriesRetractions);
    default:
      return false;
  }
}
