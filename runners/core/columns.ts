import type { PaneInfo } from '../../sdk/pane.js';
import type { Instant } from '../../sdk/time.js';
import type { BoundedWindow } from '../../sdk/window.js';

/** Elements per chunk: fixed-size, preallocated, so a growing batch never copies what it holds. */
export const CHUNK_SIZE = 4096;

/** Up to CHUNK_SIZE elements stored by column. Windows and panes are shared references. */
export class ColumnChunk {
  readonly values: unknown[] = new Array(CHUNK_SIZE);
  readonly timestamps = new Float64Array(CHUNK_SIZE);
  readonly windows: BoundedWindow[] = new Array(CHUNK_SIZE);
  readonly panes: PaneInfo[] = new Array(CHUNK_SIZE);
  /** 1 marks a retraction; undefined until the chunk holds one. */
  retractions: Uint8Array | undefined;
  length = 0;
}

/**
 * A batch of elements stored by column (values, timestamps, windows, panes, retraction flags), as the
 * micro-batch runner materialises it at shuffle boundaries. Appending allocates no object per
 * element, and the batch grows by whole chunks instead of copying.
 */
export class Columns {
  private chunks: ColumnChunk[] = [];
  private cur: ColumnChunk | undefined;
  length = 0;

  push(value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    let c = this.cur;
    if (c === undefined || c.length === CHUNK_SIZE) {
      c = new ColumnChunk();
      this.chunks.push(c);
      this.cur = c;
    }
    const k = c.length++;
    c.values[k] = value;
    c.timestamps[k] = timestamp;
    c.windows[k] = window;
    c.panes[k] = pane;
    if (retraction) (c.retractions ??= new Uint8Array(CHUNK_SIZE))[k] = 1;
    this.length++;
  }

  /** Hands over everything gathered so far, chunk by chunk, and starts empty. */
  take(): ColumnChunk[] {
    const out = this.chunks;
    this.chunks = [];
    this.cur = undefined;
    this.length = 0;
    return out;
  }
}
