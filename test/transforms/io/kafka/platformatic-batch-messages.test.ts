/**
 * Decoding a fetched record batch for the @platformatic/kafka consumer (no broker): offsets as exact
 * decimal strings, also past 2^53 (computed with BigInt there, with numbers below), records before
 * the requested offset left out, timestamps, and headers.
 */
import { describe, expect, it } from 'vitest';
import type { KafkaMessage } from '../../../../transforms/io/kafka/client.js';
import { batchMessages, type ParsedBatch } from '../../../../transforms/io/kafka/platformatic/batch-messages.js';

const batch = (first: bigint, count: number, attributes = 0, headers: ReadonlyArray<[Buffer | null, Buffer | null]> = []): ParsedBatch => ({
  firstOffset: first,
  lastOffsetDelta: count - 1,
  attributes,
  firstTimestamp: 1_700_000_000_000n,
  maxTimestamp: 1_700_000_000_009n,
  records: Array.from({ length: count }, (_, i) => ({ offsetDelta: i, timestampDelta: BigInt(i), key: null, value: Buffer.from(`v${i}`), headers })),
});
const decode = (b: ParsedBatch, from: bigint): KafkaMessage[] => {
  const out: KafkaMessage[] = [];
  batchMessages('t', 2, b, from, out);
  return out;
};

describe('batchMessages (the @platformatic/kafka consumer)', () => {
  it('offsets are exact decimal strings, below and beyond 2^53; records before the requested offset are left out', () => {
    expect(decode(batch(40n, 5), 42n).map((m) => m.offset)).toEqual(['42', '43', '44']);
    const big = 2n ** 53n - 2n; // the batch crosses 2^53: numbers would round
    expect(decode(batch(big, 5), big + 1n).map((m) => m.offset)).toEqual([1, 2, 3, 4].map((i) => (big + BigInt(i)).toString()));
    expect(decode(batch(40n, 5), 10n)).toHaveLength(5);
  });

  it('timestamps: the batch time plus the delta, or with LogAppendTime the batch max time', () => {
    expect(decode(batch(0n, 3), 0n).map((m) => m.timestamp)).toEqual([1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_002]);
    expect(decode(batch(0n, 2, 0x08), 0n).map((m) => m.timestamp)).toEqual([1_700_000_000_009, 1_700_000_000_009]);
  });

  it('headers grouped by name with every value in order; a record without headers has none', () => {
    const h: Array<[Buffer | null, Buffer | null]> = [
      [Buffer.from('a'), Buffer.from('1')],
      [Buffer.from('a'), null],
      [Buffer.from('b'), Buffer.from('2')],
    ];
    const [m] = decode(batch(0n, 1, 0, h), 0n);
    expect(m).toMatchObject({ topic: 't', partition: 2, offset: '0', key: null, value: Buffer.from('v0') });
    expect(m!.headers).toEqual({ a: [Buffer.from('1'), Buffer.alloc(0)], b: [Buffer.from('2')] });
    expect(decode(batch(0n, 1), 0n)[0]!.headers).toEqual({});
  });
});
