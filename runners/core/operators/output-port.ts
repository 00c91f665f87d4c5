import type { StepMetrics } from '../../../sdk/metrics.js';
import type { PaneInfo } from '../../../sdk/pane.js';
import type { Instant } from '../../../sdk/time.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import type { Columns } from '../columns.js';

/** A consumer called at once with the element's parts (a downstream operator's input). */
export type Receiver = (value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean) => void | Promise<void>;

/**
 * One output of a step, fanned out to its consumers: receivers called at once (native) and column
 * inboxes appended to (micro-batch). Emission is synchronous when every receiver is; once a receiver
 * returns a promise, later emissions queue behind it so order is preserved, and the operator hands
 * the pending promise to its caller (`takePending`).
 */
export class OutputPort {
  private readonly receivers: Receiver[] = [];
  private readonly inboxes: Columns[] = [];
  private pending: Promise<void> | undefined;
  constructor(
    private readonly metrics: StepMetrics | undefined,
  ) {}

  connect(r: Receiver): void {
    this.receivers.push(r);
  }

  /** Micro-batch: appends every emitted element to `inbox`, by column. */
  connectColumns(inbox: Columns): void {
    this.inboxes.push(inbox);
  }

  /** Emits an element given by its parts: no element object is made. */
  emitParts(value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    if (this.metrics) this.metrics.elementsOut++;
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

  emit(wv: WindowedValue<unknown>): void {
    this.emitParts(wv.value, wv.timestamp, wv.window, wv.pane, wv.retraction === true);
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
