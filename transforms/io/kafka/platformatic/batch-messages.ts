/**
 * The {@link KafkaMessage}s of one fetched record batch (as @platformatic/kafka parsed it), from
 * offset `from` on: a fetch answers with whole batches, so records before the requested offset are
 * left out. With `LogAppendTime` every record gets the batch's max timestamp. Appends to `out`.
 *
 * Per record it avoids BigInt arithmetic (an allocation each, and much of the read's garbage): offsets
 * are computed as numbers while the batch's last offset is a safe integer (always, short of 2^53
 * records), else with BigInt; a record without headers shares one frozen empty headers object.
 *
 * @example
 * ```ts
 * const messages: KafkaMessage[] = [];
 * for (const b of batches) batchMessages('events', 0, b, 120n, messages);
 * ```
 */
import type { KafkaMessage, KafkaRecordHeaders } from '../client.js';

/** The parts of a parsed record batch this reads. */
export interface ParsedBatch {
  readonly firstOffset: bigint;
  readonly lastOffsetDelta: number;
  readonly attributes: number;
  readonly firstTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly records: ReadonlyArray<{
    readonly offsetDelta: number;
    readonly timestampDelta: bigint;
    readonly key?: Buffer | null;
    readonly value?: Buffer | null;
    readonly headers: ReadonlyArray<[Buffer | null, Buffer | null]>;
  }>;
}

/** Batch attribute bit (Kafka record batch v2): timestamps are the broker's append time. */
const LOG_APPEND_TIME = 0x08;
const NO_HEADERS: KafkaRecordHeaders = Object.freeze({});

export function batchMessages(topic: string, partition: number, b: ParsedBatch, from: bigint, out: KafkaMessage[]): void {
  const appendTime = (b.attributes & LOG_APPEND_TIME) !== 0;
  // Records whose offset delta is below this lie before `from` (a delta fits in an int32).
  const minDelta = from > b.firstOffset ? Number(from - b.firstOffset) : 0;
  const base = Number(b.firstOffset);
  const exact = Number.isSafeInteger(base + b.lastOffsetDelta);
  const firstTimestamp = Number(b.firstTimestamp);
  const maxTimestamp = Number(b.maxTimestamp);
  for (const r of b.records) {
    if (r.offsetDelta < minDelta) continue;
    out.push({
      topic,
      partition,
      offset: exact ? String(base + r.offsetDelta) : (b.firstOffset + BigInt(r.offsetDelta)).toString(),
      timestamp: appendTime ? maxTimestamp : firstTimestamp + Number(r.timestampDelta),
      key: r.key ?? null,
      value: r.value ?? null,
      headers: r.headers.length === 0 ? NO_HEADERS : toHeaders(r.headers),
    });
  }
}

/** Record headers grouped by name, values in order (a header without a value reads as empty). */
function toHeaders(headers: ReadonlyArray<[Buffer | null, Buffer | null]>): Record<string, Buffer[]> {
  const out: Record<string, Buffer[]> = {};
  for (const [k, v] of headers) {
    const name = k === null ? '' : k.toString('utf8');
    (out[name] ??= []).push(v ?? Buffer.alloc(0));
  }
  return out;
}
