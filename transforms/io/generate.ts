/**
 * {@link Generate}: a bounded, deterministic, lazily generated input, for demos and benchmarks.
 * @module watershed/io/generate
 */
import { numericPosition } from '../../sdk/io/numeric-position.js';
import type { SourceBatch } from '../../sdk/io/source.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import type { PTransform } from '../../sdk/ptransform.js';
import { TIMESTAMP_MIN, type Duration, type Instant } from '../../sdk/time.js';
import { isValidInstant } from '../../sdk/internal/valid-instant.js';
import { Read } from '../read.js';
import { DEFAULT_MAX_FORWARD_JUMP, ForwardJumpGuard, type ForwardJumpStats } from '../../sdk/io/forward-jump-guard.js';
import { SourcePositionError } from '../../sdk/errors.js';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import { describeThrown } from './user-code-error.js';

export interface GenerateOptions<T> {
  /** How many elements (bounded). */
  readonly count: number;
  /** The i-th element. Throwing makes element i a dead letter (`mapper-error`, its index as element and origin); the read goes on. */
  readonly element: (i: number) => T;
  /**
   * The i-th element's event time; its watermark trails the largest timestamp by `maxOutOfOrderness`.
   * Throwing makes element i a dead letter (`timestamp-error`); the read goes on.
   */
  readonly timestamp: (i: number) => Instant;
  readonly maxOutOfOrderness?: Duration;
  /**
   * A timestamp more than this ahead of all earlier ones is held from the watermark until a second
   * one confirms it (default 1 hour; `Infinity` = off); see `ForwardJumpGuard` (watershed/sdk).
   */
  readonly maxForwardJump?: Duration;
  /** Filled in while the source is read: records held from the watermark by `maxForwardJump`. */
  readonly heldFromWatermark?: ForwardJumpStats;
}

const NO_ELEMENTS: readonly never[] = Object.freeze([]);

/**
 * Where a {@link Generate} read stands: the next index, the largest timestamp so far and, while that
 * one is held from the watermark, the second largest (for the watermark).
 */
export interface GeneratePosition {
  readonly i: number;
  readonly maxTs: Instant;
  /** While `maxTs` is held from the watermark, the second largest timestamp. */
  readonly secondTs?: Instant;
}

/**
 * A bounded, deterministic, lazily generated input: element i is `element(i)` at `timestamp(i)`.
 * Nothing is materialised up front, and batches are given by column (no object per element), so it
 * can feed benchmarks of many millions of elements. Its reader's position is a
 * {@link GeneratePosition}; resumed from one, it goes on with element `i`.
 * @example p.apply(Generate.of({ count: 1e6, element: (i) => i % 1000, timestamp: (i) => i }))
 */
export const Generate = {
  of<T>(o: GenerateOptions<T>): PTransform<Pipeline, PCollection<T>> {
    const lag = o.maxOutOfOrderness ?? 0;
    const maxForwardJump = o.maxForwardJump ?? DEFAULT_MAX_FORWARD_JUMP;
    if (!(maxForwardJump >= 0)) throw new RangeError(`maxForwardJump must be >= 0 ms, got ${maxForwardJump}`);
    const read = Read<T>({
      name: 'Generate',
      bounded: true,
      async open(ctx) {
        const from = ctx.resumeFrom === undefined ? undefined : numericPosition('Generate', ctx.resumeFrom, { i: 'count', maxTs: 'instant' });
        let i = from?.i ?? 0;
        const guard = new ForwardJumpGuard(maxForwardJump, o.heldFromWatermark);
        if (from !== undefined) guard.restore(from.maxTs, secondOf(ctx.resumeFrom));
        let limit = Number.POSITIVE_INFINITY;
        return {
          async poll(max): Promise<SourceBatch<T>> {
            const n = Math.max(0, Math.min(max, o.count - i, limit - i));
            const values: T[] = new Array(n);
            const timestamps: Instant[] = new Array(n);
            let deadLetters: DeadLetter[] | undefined;
            let k = 0;
            for (let j = 0; j < n; j++, i++) {
              let timestamp: Instant;
              let value: T;
              let calling: 'timestamp' | 'element' = 'timestamp';
              try {
                timestamp = o.timestamp(i);
                calling = 'element';
                value = o.element(i);
              } catch (e) {
                // user code failing on one element: that element is a dead letter, the read goes on
                (deadLetters ??= []).push(generateDeadLetter(ctx.step, calling, i, e));
                continue;
              }
              // an invalid timestamp (the Read step dead-letters its element) never moves the watermark
              if (isValidInstant(timestamp)) guard.observe(timestamp);
              values[k] = value;
              timestamps[k++] = timestamp;
            }
            if (k < n) {
              values.length = k;
              timestamps.length = k;
            }
            const confirmed = guard.confirmed();
            const batch = { elements: NO_ELEMENTS, columns: { values, timestamps }, watermark: confirmed === TIMESTAMP_MIN ? TIMESTAMP_MIN : confirmed - lag, done: i >= o.count };
            return deadLetters === undefined ? batch : { ...batch, deadLetters };
          },
          position: (): GeneratePosition => ({ i, ...guard.top() }),
          progress: () => ({ done: i, total: o.count }),
          stopAt(p) {
            limit = p === undefined ? Number.POSITIVE_INFINITY : numericPosition('Generate', p, { i: 'count', maxTs: 'instant' }).i;
          },
          async close() {},
        };
      },
    });
    return { name: 'Generate', expand: (p, ctx) => read.expand(p, ctx) };
  },
};

/** The dead letter of element `i`, on which `timestamp(i)` (`timestamp-error`) or `element(i)` (`mapper-error`) threw `e`. */
function generateDeadLetter(step: string, fn: 'timestamp' | 'element', i: number, e: unknown): DeadLetter {
  const reason = fn === 'timestamp' ? 'timestamp-error' : 'mapper-error';
  return { step, reason, message: `${fn}(${i}) threw: ${describeThrown(e)}`, element: i, origin: { source: 'Generate', index: i } };
}

/** A position's `secondTs` (absent: nothing held). @throws SourcePositionError when it is not a number. */
function secondOf(p: unknown): Instant | undefined {
  const v = (p as { secondTs?: unknown }).secondTs;
  if (v === undefined || (typeof v === 'number' && !Number.isNaN(v))) return v;
  throw new SourcePositionError('Generate', 'malformed', `secondTs must be a number, got ${String(v)}`);
}
