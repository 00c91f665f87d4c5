import type { StepMetrics } from '../../../sdk/metrics.js';
import type { PaneInfo } from '../../../sdk/pane.js';
import type { Instant } from '../../../sdk/time.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import type { Columns } from '../columns.js';

/** Where an output goes: a downstream operator's input (native) or its inbox (micro-batch). */
export type Receiver = (wv: WindowedValue<unknown>) => void | Promise<void>;

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

  get connected(): boolean {
    return this.receivers.length > 0 || this.inboxes.length > 0;
  }

  /** Emits an element given by its parts: no object is made unless a receiver needs one. */
  emitParts(value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    if (this.metrics) this.metrics.elementsOut++;
    const ib = this.inboxes;
    for (let i = 0; i < ib.length; i++) ib[i]!.push(value, timestamp, window, pane, retraction);
    if (this.receivers.length === 0) return;
    this.deliverAll(retraction ? { value, timestamp, window, pane, retraction } : { value, timestamp, window, pane });
  }

  emit(wv: WindowedValue<unknown>): void {
    if (this.metrics) this.metrics.elementsOut++;
    const ib = this.inboxes;
    for (let i = 0; i < ib.length; i++) ib[i]!.push(wv.value, wv.timestamp, wv.window, wv.pane, wv.retraction === true);
    this.deliverAll(wv);
  }

  private deliverAll(wv: WindowedValue<unknown>): void {
    const rs = this.receivers;
    if (rs.length === 0) return;
    if (this.pending) {
      this.pending = this.pending.then(() => this.deliver(wv));
      return;
    }
    const r = this.deliver(wv);
    if (r) this.pending = r;
  }

  private deliver(wv: WindowedValue<unknown>): void | Promise<void> {
    const rs = this.receivers;
    if (rs.length === 1) return rs[0]!(wv);
    let chain: Promise<void> | undefined;
    for (const recv of rs) {
      if (chain) chain = chain.then(() => recv(wv));
      else {
        const r = recv(wv);
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
