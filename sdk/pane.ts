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
  readonly index: number;
  readonly nonSpeculativeIndex: number;
  readonly timing: PaneTiming;
  readonly isFirst: boolean;
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
