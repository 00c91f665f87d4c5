import { shorten, WatershedError } from '../../../sdk/errors.js';
import type { KafkaOutgoingMessage, KafkaValueBlock } from './client.js';

/** Whether a send failed because a record (or the request) exceeds a broker, topic or producer limit. */
export function isTooLarge(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, type, message } = e as { code?: unknown; type?: unknown; message?: unknown };
  const said = `${String(code ?? '')} ${String(type ?? '')} ${String(message ?? '')}`;
  return /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE|too large/i.test(said);
}

/**
 * The broker refused a send because a record in it is too large (the topic's `max.message.bytes` or
 * the broker's `message.max.bytes` below the write's `maxRecordBytes`): the run fails with this error,
 * not a UserCodeError (the step's code did nothing wrong). Names the step, the topic and the largest
 * record of the send (its index in the send, `bytes` of key and value, key and value shortened); the
 * client's error is `cause`. A record over `maxRecordBytes` never gets this far: it goes to the write
 * step's dead letters (`record-too-large`) unsent.
 * @example new KafkaRecordTooLargeError('Write', 'pairs', 1, 3, 2_097_155, 'key null, value "BIG…"', cause)
 */
export class KafkaRecordTooLargeError extends WatershedError {
  constructor(
    /** The KafkaIO.write step. */
    readonly step: string,
    readonly topic: string,
    /** The index in its send of the largest record. */
    readonly index: number,
    /** How many records the send had. */
    readonly records: number,
    /** Bytes of key and value of that record. */
    readonly bytes: number,
    shown: string,
    cause: unknown,
  ) {
    super(
      'KAFKA_RECORD_TOO_LARGE',
      `step '${step}': KafkaIO.write to '${topic}': a record is too large for the topic or broker (${cause instanceof Error ? cause.message : String(cause)}); ` +
        `the largest of the ${records.toLocaleString('en-US')} records of this send is #${index}: ${bytes.toLocaleString('en-US')} bytes of key and value, ${shown}. ` +
        'Lower maxRecordBytes to the topic\'s max.message.bytes to send such records to the dead letters instead',
      { cause },
    );
  }
}

/**
 * A send that failed because a record is too large (the topic's `max.message.bytes`, the broker's
 * `message.max.bytes`) as a {@link KafkaRecordTooLargeError} naming the step, the topic and the
 * largest record of the send; any other failure is returned as it is.
 * @example tooLargeSend(e, 'Write', 'pairs', [{ key: 'k', value: 'x'.repeat(2e6) }]).message // "step 'Write': ... is #0: 2,000,001 bytes of key and value, key \"k\", value \"xxx…\" ..."
 */
export function tooLargeSend(e: unknown, step: string, topic: string, records: readonly KafkaOutgoingMessage[] | KafkaValueBlock): unknown {
  if (!isTooLarge(e)) return e;
  let at = 0;
  let bytes = -1;
  let key: unknown = null;
  let value: unknown = null;
  if (Array.isArray(records)) {
    records.forEach((m: KafkaOutgoingMessage, i: number) => {
      const n = sizeOf(m.value) + sizeOf(m.key ?? null);
      if (n > bytes) [at, bytes, key, value] = [i, n, m.key ?? null, m.value];
    });
  } else {
    const { values, offsets } = records as KafkaValueBlock;
    for (let i = 0; i + 1 < offsets.length; i++) {
      const n = offsets[i + 1]! - offsets[i]!;
      if (n > bytes) [at, bytes, value] = [i, n, values.subarray(offsets[i]!, offsets[i + 1]!)];
    }
  }
  const count = Array.isArray(records) ? records.length : (records as KafkaValueBlock).offsets.length - 1;
  const text = (b: unknown) => (b === null ? 'null' : shorten(Buffer.isBuffer(b) ? b.subarray(0, 120).toString('utf8') : String(b).slice(0, 120), 80));
  return new KafkaRecordTooLargeError(step, topic, at, count, bytes, `key ${text(key)}, value ${text(value)}`, e);
}

/** Bytes of a record's key, value and headers: what `maxRecordBytes` limits. */
export function recordBytes(m: KafkaOutgoingMessage): number {
  let n = sizeOf(m.value) + sizeOf(m.key ?? null);
  if (m.headers) {
    for (const [k, v] of Object.entries(m.headers)) {
      n += Buffer.byteLength(k);
      if (Array.isArray(v)) for (const one of v as readonly (Buffer | string)[]) n += sizeOf(one);
      else n += sizeOf(v as Buffer | string);
    }
  }
  return n;
}

function sizeOf(v: Buffer | string | null): number {
  return v === null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}
