/**
 * Where a pane stands relative to the watermark when it was emitted.
 * - EARLY: before the watermark passed the end of the window (speculative).
 * - ON_TIME: the first pane after the watermark passed the end of the window.
 * - LATE: any pane after the on-time one, caused by late data.
 * - UNKNOWN: not produced by an aggregation (e.g. a source element).
 */
export type PaneTiming = 'EARLY' | 'ON_TIME' | 'LATE' | 'UNKNOWN';

/**
 * Which firing of a window an output came from. Every aggregation output carries one.
 * `index` counts every pane of the window from 0; `nonSpeculativeIndex` counts ON_TIME and LATE panes
 * from 0 (-1 for early panes); `isFirst`/`isLast` mark the first and the final pane of the window.
 */
export interface PaneInfo {
  /** Which pane of its window this is, counting every pane from 0. */
  readonly index: number;
  /** Which ON_TIME or LATE pane of its window this is, from 0; -1 for an EARLY pane. */
  readonly nonSpeculativeIndex: number;
  /** EARLY, ON_TIME or LATE relative to the watermark (UNKNOWN before any aggregation). */
  readonly timing: PaneTiming;
  /** True for the window's first pane. */
  readonly isFirst: boolean;
  /** True for the window's final pane: no more will come for this window. */
  readonly isLast: boolean;
}

/** The pane of an element that never went through an aggregation. */
export const NO_FIRING: PaneInfo = Object.freeze({
  index: 0,
  nonSpeculativeIndex: 0,
  timing: 'UNKNOWN',
  isFirst: true,
  isLast: true,
});
