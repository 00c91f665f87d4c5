import type { StepMetrics } from '../../../sdk/metrics.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';

/** Where an output goes: a downstream operator's input (native) or its inbox (micro-batch). */
export type Receiver = (wv: WindowedValue<unknown>) => void | Promise<void>;

/**
 * One output of a step, fanned out to its consumers. Emission is synchronous when every consumer is;
 * once a consumer returns a promise, later emissions queue behind it so order is preserved, and the
 * operator hands the pending promise to its caller (`takePending`).
 */
export class OutputPort {
  private readonly receivers: Receiver[] = [];
  private pending: Promise<void> | undefined;
  constructor(
    private readonly metrics: StepMetrics | undefined,
  ) {}

  connect(r: Receiver): void {
    this.receivers.push(r);
  }

  get connected(): boolean {
    return this.receivers.length > 0;
  }

  emit(wv: WindowedValue<unknown>): void {
    if (this.metrics) this.metrics.elementsOut++;
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
