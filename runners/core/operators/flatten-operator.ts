import { UserCodeError } from '../../../sdk/errors.js';
import type { CoGroupTagged } from '../../../sdk/graph.js';
import type { KV } from '../../../sdk/kv.js';
import type { PaneInfo } from '../../../sdk/pane.js';
import type { Instant } from '../../../sdk/time.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import type { ColumnChunk } from '../columns.js';
import { TaggedValue } from '../util/tagged-value.js';
import { BaseOperator, type MaybePromise, type OperatorContext } from './operator.js';

/**
 * Flatten: forwards every input; its input watermark is the minimum over its inputs (the engine's job).
 * Given `tags` (CoGroupByKey's expansion, see FlattenPayload.tags), it sends input `i`'s element
 * `kv(key, value)` on as `kv(key, { tag: tags[i], value })` (a TaggedValue).
 * @throws UserCodeError (phase 'tagging') naming the step, the element and its window, when a tagged
 * input's element is not a KV.
 * @example new FlattenOperator(ctx, ['orders', 'payments']) // kv('u1', 5) on input 0 → kv('u1', { tag: 'orders', value: 5 })
 */
export class FlattenOperator extends BaseOperator {
  private readonly out = this.ctx.ports['main']!;

  constructor(
    ctx: OperatorContext,
    private readonly tags?: readonly string[],
  ) {
    super(ctx);
  }

  processParts(input: number, value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): MaybePromise {
    this.ctx.metrics.elementsIn++;
    const tags = this.tags;
    this.out.emitParts(tags === undefined ? value : this.tagged(tags[input]!, value, timestamp, window), timestamp, window, pane, retraction);
    return this.settle();
  }

  /** A micro-batch stage: the whole chunk in one loop, settled once. */
  override processColumns(input: number, c: ColumnChunk): MaybePromise {
    this.ctx.metrics.elementsIn += c.length;
    const { values, timestamps, windows, panes, retractions, length } = c;
    const out = this.out;
    if (this.tags !== undefined) {
      const tag = this.tags[input]!;
      for (let i = 0; i < length; i++) out.emitParts(this.tagged(tag, values[i], timestamps[i]!, windows[i]!), timestamps[i]!, windows[i]!, panes[i]!, retractions !== undefined && retractions[i] === 1);
    } else for (let i = 0; i < length; i++) out.emitParts(values[i], timestamps[i]!, windows[i]!, panes[i]!, retractions !== undefined && retractions[i] === 1);
    return this.settle();
  }

  /** `kv(key, { tag, value })` for the KV `value`. */
  private tagged(tag: string, value: unknown, timestamp: Instant, window: BoundedWindow): KV<unknown, CoGroupTagged> {
    const v = value as KV<unknown, unknown> | null;
    if (v === null || typeof v !== 'object' || !('key' in v)) {
      throw new UserCodeError(this.step, 'tagging', new TypeError('CoGroupByKey needs KV elements ({ key, value }); use WithKeys first'), value, window, timestamp);
    }
    return { key: v.key, value: new TaggedValue(tag, v.value) };
  }
}
