import type { WindowedValue } from '../../../sdk/windowed-value.js';
import { BaseOperator, type MaybePromise } from './operator.js';

/** Flatten: forwards every input; its input watermark is the minimum over its inputs (the engine's job). */
export class FlattenOperator extends BaseOperator {
  private readonly out = this.ctx.ports['main']!;
  processElement(_input: number, wv: WindowedValue<unknown>): MaybePromise {
    this.ctx.metrics.elementsIn++;
    this.out.emit(wv);
    return this.settle();
  }
}
