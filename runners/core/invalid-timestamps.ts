import type { DeadLetter } from '../../sdk/dead-letter.js';
import type { SourceBatch } from '../../sdk/io/source.js';
import { invalidInstantMessage, isValidInstant } from '../../sdk/internal/valid-instant.js';
import type { Instant } from '../../sdk/time.js';
import type { TimestampedValue } from '../../sdk/windowed-value.js';

/** The dead-letter reason of a source element whose timestamp is not a valid instant. */
export const INVALID_TIMESTAMP = 'invalid-timestamp';

/**
 * A source batch without its elements whose timestamp is not a valid instant (NaN, ±Infinity,
 * outside TIMESTAMP_MIN..TIMESTAMP_MAX, not a number): each becomes a dead letter of the Read step
 * `step` (reason `invalid-timestamp`, the element, the timestamp in the message), after the
 * batch's own dead letters. Such an element cannot be windowed or ordered: let through, a
 * WindowFn either fails the run on it or assigns it no window (so it would vanish). Returns
 * `batch` itself when every timestamp is valid (the usual case: one pass, no copy).
 * @example withoutInvalidTimestamps('Read', { elements: [{ value: 'x', timestamp: NaN }], watermark: 0, done: false })
 *   // { elements: [], deadLetters: [{ step: 'Read', reason: 'invalid-timestamp', element: 'x', ... }], ... }
 */
export function withoutInvalidTimestamps(step: string, batch: SourceBatch<unknown>): SourceBatch<unknown> {
  if (allValid(batch)) return batch;
  const dead: DeadLetter[] = [...(batch.deadLetters ?? [])];
  const reject = (value: unknown, timestamp: unknown) =>
    dead.push({ step, reason: INVALID_TIMESTAMP, message: `source element has ${invalidInstantMessage(timestamp)}`, element: value });
  const elements: TimestampedValue<unknown>[] = [];
  for (const e of batch.elements) {
    if (isValidInstant(e.timestamp)) elements.push(e);
    else reject(e.value, e.timestamp);
  }
  let columns = batch.columns;
  if (columns !== undefined) {
    const values: unknown[] = [];
    const timestamps: Instant[] = [];
    for (let i = 0; i < columns.values.length; i++) {
      const t = columns.timestamps[i];
      if (isValidInstant(t)) {
        values.push(columns.values[i]);
        timestamps.push(t);
      } else reject(columns.values[i], t);
    }
    columns = { values, timestamps };
  }
  return { ...batch, elements, ...(columns === undefined ? {} : { columns }), deadLetters: dead };
}

function allValid(batch: SourceBatch<unknown>): boolean {
  const els = batch.elements;
  for (let i = 0; i < els.length; i++) if (!isValidInstant(els[i]!.timestamp)) return false;
  const c = batch.columns;
  if (c !== undefined) for (let i = 0; i < c.values.length; i++) if (!isValidInstant(c.timestamps[i])) return false;
  return true;
}
