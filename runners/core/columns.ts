import type { PaneInfo } from '../../sdk/pane.js';
import type { Instant } from '../../sdk/time.js';
import type { BoundedWindow } from '../../sdk/window.js';

/**
 * A batch of elements stored by column (values, timestamps, windows, panes, retraction flags), as the
 * micro-batch runner moves data between stages. Appending an element allocates nothing: windows and
 * panes are shared references, so a stage that keeps timestamps and windows costs no objects.
 */
export class Columns {
  values: unknown[] = [];
  timestamps: Instant[] = [];
  windows: BoundedWindow[] = [];
  panes: PaneInfo[] = [];
  /** Undefined until the first retraction arrives. */
  retractions: boolean[] | undefined;
  length = 0;

  push(value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    this.values.push(value);
    this.timestamps.push(timestamp);
    this.windows.push(window);
    this.panes.push(pane);
    if (this.retractions) this.retractions.push(retraction);
    else if (retraction) {
      this.retractions = new Array<boolean>(this.length).fill(false);
      this.retractions.push(true);
    }
    this.length++;
  }

  /** Hands over everything gathered so far and starts empty. */
  take(): Columns {
    const out = new Columns();
    out.values = this.values;
    out.timestamps = this.timestamps;
    out.windows = this.windows;
    out.panes = this.panes;
    out.retractions = this.retractions;
    out.length = this.length;
    this.values = [];
    this.timestamps = [];
    this.windows = [];
    this.panes = [];
    this.retractions = undefined;
    this.length = 0;
    return out;
  }
}
