import type { StepMetrics } from '../../../sdk/metrics.js';
import type { PaneInfo } from '../../../sdk/pane.js';
import type { Instant } from '../../../sdk/time.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import { CHUNK_SIZE, ColumnChunk, type Columns } from '../columns.js';

/** A consumer called at once with the element's parts (a downstream operator's input). */
export type Receiver = (value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean) => void | Promise<void>;

/** A consumer handed elements a chunk at a time (a downstream operator's input in a micro-batch stage). */
export type ChunkReceiver = (chunk: ColumnChunk) => void | Promise<void>;

/**
 * One output of a step, fanned out to its consumers: receivers called at once (native), column
 * inboxes appended to (micro-batch shuffles and side inputs), and chunk receivers (the next step of
 * a micro-batch stage), which get the elements gathered in a chunk when it is full or when the
 * producing step calls `flush()` (operators do, when they settle).
 *
 * Emission is synchronous when every receiver is; once a receiver returns a promise, later
 * deliveries queue behind it so order is preserved, and the operator hands the pending promise to
 * its caller (`takePending`).
 */
export class OutputPort {
  private readonly receivers: Receiver[] = [];
  private readonly inboxes: Columns[] = [];
  private readonly chunkReceivers: ChunkReceiver[] = [];
  /** Elements gathered for the chunk receivers (present once there is one); refilled once they have read it. */
  private buffer: ColumnChunk | undefined;
  /** The only consumer is this inbox (a shuffle right after the step). */
  private soleInbox: Columns | undefined;
  /** There are receivers or inboxes (consumers called or appended to per element). */
  private perElement = false;
  private pending: Promise<void> | undefined;
  constructor(
    private readonly metrics: StepMetrics | undefined,
  ) {}

  connect(r: Receiver): void {
    this.receivers.push(r);
    this.wired();
  }

  /** Micro-batch: appends every emitted element to `inbox`, by column. */
  connectColumns(inbox: Columns): void {
    this.inboxes.push(inbox);
    this.wired();
  }

  /** Micro-batch stage: hands emitted elements to `r` a chunk at a time (see `flush`). */
  connectChunks(r: ChunkReceiver): void {
    this.chunkReceivers.push(r);
    this.buffer ??= new ColumnChunk();
    this.wired();
  }

  private wired(): void {
    this.perElement = this.receivers.length > 0 || this.inboxes.length > 0;
    this.soleInbox = this.inboxes.length === 1 && this.receivers.length === 0 && this.chunkReceivers.length === 0 ? this.inboxes[0] : undefined;
  }

  /** Emits an element given by its parts: no element object is made. */
  emitParts(value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    if (this.metrics) this.metrics.elementsOut++;
    if (this.soleInbox !== undefined) {
      this.soleInbox.push(value, timestamp, window, pane, retraction);
      return;
    }
    const b = this.buffer;
    if (b !== undefined) {
      b.push(value, timestamp, window, pane, retraction);
      if (b.length === CHUNK_SIZE) this.flush();
    }
    if (this.perElement) this.deliverEach(value, timestamp, window, pane, retraction);
  }

  /**
   * Emits `values[i]` at `timestamps[i]` for every i, all in `window` and `pane` (a source's batch
   * given by column): for chunk receivers, the columns are copied into the buffer in one loop.
   */
  emitColumns(values: readonly unknown[], timestamps: ArrayLike<Instant>, window: BoundedWindow, pane: PaneInfo): void {
    const n = values.length;
    if (this.perElement) {
      for (let i = 0; i < n; i++) this.emitParts(values[i], timestamps[i]!, window, pane, false);
      return;
    }
    if (this.metrics) this.metrics.elementsOut += n;
    for (let i = 0; i < n && this.buffer !== undefined; ) {
      const b = this.buffer;
      const k = b.length;
      const m = Math.min(CHUNK_SIZE - k, n - i);
      const bv = b.values;
      const bt = b.timestamps;
      const bw = b.windows;
      const bp = b.panes;
      for (let j = 0; j < m; j++) {
        bv[k + j] = values[i + j];
        bt[k + j] = timestamps[i + j]!;
        bw[k + j] = window;
        bp[k + j] = pane;
      }
      b.length = k + m;
      i += m;
      if (b.length === CHUNK_SIZE) this.flush();
    }
  }

  emit(wv: WindowedValue<unknown>): void {
    this.emitParts(wv.value, wv.timestamp, wv.window, wv.pane, wv.retraction === true);
  }

  /** True when elements wait in the buffer for the chunk receivers. */
  get hasBuffered(): boolean {
    return this.buffer !== undefined && this.buffer.length > 0;
  }

  /** Hands the buffered elements to the chunk receivers (behind a pending delivery, if any). */
  flush(): void {
    const c = this.buffer;
    if (c === undefined || c.length === 0) return;
    if (this.pending) {
      this.buffer = new ColumnChunk();
      this.pending = this.pending.then(() => this.deliverChunk(c));
      return;
    }
    const r = this.deliverChunk(c);
    if (r) {
      // Still being read: the next elements go to a new buffer.
      this.buffer = new ColumnChunk();
      this.pending = r;
    } else c.reset(false); // refilled at once: the next chunk overwrites the values
  }

  private deliverChunk(c: ColumnChunk): void | Promise<void> {
    let chain: Promise<void> | undefined;
    for (const recv of this.chunkReceivers) {
      if (chain) chain = chain.then(() => recv(c));
      else {
        const r = recv(c);
        if (r) chain = r;
      }
    }
    return chain;
  }

  /** To the inboxes and receivers, in order behind a pending delivery. */
  private deliverEach(value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    const ib = this.inboxes;
    for (let i = 0; i < ib.length; i++) ib[i]!.push(value, timestamp, window, pane, retraction);
    const rs = this.receivers;
    if (rs.length === 0) return;
    if (this.pending) {
      this.pending = this.pending.then(() => this.deliver(value, timestamp, window, pane, retraction));
      return;
    }
    const r = rs.length === 1 ? rs[0]!(value, timestamp, window, pane, retraction) : this.deliver(value, timestamp, window, pane, retraction);
    if (r) this.pending = r;
  }

  private deliver(value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void | Promise<void> {
    let chain: Promise<void> | undefined;
    for (const recv of this.receivers) {
      if (chain) chain = chain.then(() => recv(value, timestamp, window, pane, retraction));
      else {
        const r = recv(value, timestamp, window, pane, retraction);
        if (r) chain = r;
      }
    }
    return chain;
  }

  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  takePending(): Promise<void> | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p;
  }
}
