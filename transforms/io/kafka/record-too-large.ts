import { shorten } from '../../../sdk/errors.js';
import { KafkaClientError, type KafkaOutgoingMessage, type KafkaValueBlock } from './client.js';

/** Whether a send failed because a record (or the request) exceeds a broker, topic or producer limit. */
export function isTooLarge(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, type, message } = e as { code?: unknown; type?: unknown; message?: unknown };
  const said = `${String(code ?? '')} ${String(type ?? '')} ${String(message ?? '')}`;
  return /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE|too large/i.test(said);
}

/**
 * A send that failed because a record is too large (the topic's `max.message.bytes`, the broker's
 * `message.max.bytes`, the producer's request limit), as a KafkaClientError that names the topic and
 * the largest record of the send (its index in the send, byte size, key and value shortened), so the
 * run's error says which record it was; any other failure is returned as it is.
 * @example tooLargeSend(e, 'pairs', [{ key: 'k', value: 'x'.repeat(2e6) }]).message // '... the largest record of this send is #0: 2,000,000 value bytes, key "k", value "xxx…"'
 */
export function tooLargeSend(e: unknown, topic: string, records: readonly KafkaOutgoingMessage[] | KafkaValueBlock): unknown {
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
  const message =
    `KafkaIO.write to '${topic}': a record is too large for the topic, broker or producer (${(e as Error).message}); ` +
    `the largest of the ${count.toLocaleString('en-US')} records of this send is #${at}: ${bytes.toLocaleString('en-US')} bytes of key and value, key ${text(key)}, value ${text(value)}`;
  return new KafkaClientError(message, { retriable: false, code: 'MESSAGE_TOO_LARGE', cause: e });
}

function sizeOf(v: Buffer | string | null): number {
  return v === null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}
