import type { PaneInfo } from '../../sdk/pane.js';
import type { Instant } from '../../sdk/time.js';
import type { BoundedWindow } from '../../sdk/window.js';

/** Elements per chunk: fixed-size, preallocated, so a growing batch never copies what it holds. */
export const CHUNK_SIZE = 4096;

/**
 * Up to CHUNK_SIZE elements stored by column. Windows and panes are shared references. Whoever is
 * handed a chunk reads it during the call (or until its returned promise settles) and keeps no
 * reference to it: the chunk's owner may then refill it.
 */
export class ColumnChunk {
  readonly values: unknown[] = new Array(CHUNK_SIZE);
  /**
   * Tagged (not a Float64Array): a timestamp read from here is the number that was stored, so passing
   * it on never boxes a double into a new heap number.
   */
  readonly timestamps: Instant[] = new Array<Instant>(CHUNK_SIZE).fill(undefined as never);
  readonly windows: BoundedWindow[] = new Array(CHUNK_SIZE);
  readonly panes: PaneInfo[] = new Array(CHUNK_SIZE);
  /** 1 marks a retraction; undefined until the chunk holds one. */
  retractions: Uint8Array | undefined;
  length = 0;

  /** Appends one element; the caller checks that the chunk is not full. */
  push(value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    const k = this.length++;
    this.values[k] = value;
    this.timestamps[k] = timestamp;
    this.windows[k] = window;
    this.panes[k] = pane;
    if (retraction) (this.retractions ??= new Uint8Array(CHUNK_SIZE))[k] = 1;
  }

  /**
   * Empties the chunk for reuse. With `release`, it also drops its references to the values, so a
   * chunk kept aside does not keep them alive (windows and panes are shared, and overwritten on reuse).
   */
  reset(release: boolean): void {
    if (release) {
      const v = this.values;
      for (let i = 0, n = this.length; i < n; i++) v[i] = undefined;
    }
    this.retractions = undefined;
    this.length = 0;
  }
}

/** Most emptied chunks a Columns keeps for reuse. */
const SPARE_CHUNKS = 32;

/**
 * A batch of elements stored by column (values, timestamps, windows, panes, retraction flags), as the
 * micro-batch runner materialises it at shuffle boundaries. Appending allocates no object per
 * element, and the batch grows by whole chunks instead of copying.
 */
export class Columns {
  private chunks: ColumnChunk[] = [];
  private cur: ColumnChunk | undefined;
  private readonly spare: ColumnChunk[] = [];
  length = 0;

  /**
   * @param onFull when given, each chunk is handed to it as soon as it is full (and then reused)
   *   instead of being kept: the batch then holds at most one partly filled chunk.
   */
  constructor(private readonly onFull?: (chunk: ColumnChunk) => void) {}

  push(value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    let c = this.cur;
    if (c === undefined || c.length === CHUNK_SIZE) {
      c = this.spare.pop() ?? new ColumnChunk();
      this.chunks.push(c);
      this.cur = c;
    }
    c.push(value, timestamp, window, pane, retraction);
    this.length++;
    if (c.length === CHUNK_SIZE && this.onFull !== undefined) {
      this.chunks.pop();
      this.cur = undefined;
      this.length -= CHUNK_SIZE;
      this.onFull(c);
      this.recycle(c);
    }
  }

  /** Hands over everything gathered so far, chunk by chunk, and starts empty. */
  take(): ColumnChunk[] {
    const out = this.chunks;
    this.chunks = [];
    this.cur = undefined;
    this.length = 0;
    return out;
  }

  /** Gives back a chunk from `take()` that has been read, to be refilled by later pushes. */
  recycle(c: ColumnChunk): void {
    if (this.spare.length >= SPARE_CHUNKS) return;
    c.reset(true);
    this.spare.push(c);
  }
}
