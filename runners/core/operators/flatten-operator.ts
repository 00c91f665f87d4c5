import type { PaneInfo } from '../../../sdk/pane.js';
import type { Instant } from '../../../sdk/time.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import type { ColumnChunk } from '../columns.js';
import { BaseOperator, type MaybePromise } from './operator.js';

/** Flatten: forwards every input; its input watermark is the minimum over its inputs (the engine's job). */
export class FlattenOperator extends BaseOperator {
  private readonly out = this.ctx.ports['main']!;
  processParts(_input: number, value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): MaybePromise {
    this.ctx.metrics.elementsIn++;
    this.out.emitParts(value, timestamp, window, pane, retraction);
    return this.settle();
  }

  /** A micro-batch stage: the whole chunk in one loop, settled once. */
  override processColumns(_input: number, c: ColumnChunk): MaybePromise {
    this.ctx.metrics.elementsIn += c.length;
    const { values, timestamps, windows, panes, retractions, length } = c;
    const out = this.out;
    for (let i = 0; i < length; i++) out.emitParts(values[i], timestamps[i]!, windows[i]!, panes[i]!, retractions !== undefined && retractions[i] === 1);
    return this.settle();
  }
}
