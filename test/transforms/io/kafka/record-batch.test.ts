import { crc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import type { KafkaHeadersInput } from '../../../../transforms/io/kafka/client.js';
import { decompress, type KafkaCompression } from '../../../../transforms/io/kafka/wire/compression.js';
import { RecordBatchBuilder, varintSize, varlongSize } from '../../../../transforms/io/kafka/wire/record-batch.js';

/** A minimal RecordBatch v2 reader, written from the format description, to check what the builder writes. */
function readVarlong(b: Buffer, at: { pos: number }): number {
  let shift = 0n;
  let z = 0n;
  for (;;) {
    const byte = b[at.pos++]!;
    z |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7n;
  }
  return Number((z >> 1n) ^ -(z & 1n));
}

async function decode(batch: Buffer) {
  const header = {
    baseOffset: batch.readBigInt64BE(0),
    length: batch.readInt32BE(8),
    magic: batch.readInt8(16),
    crc: batch.readUInt32BE(17),
    attributes: batch.readInt16BE(21),
    lastOffsetDelta: batch.readInt32BE(23),
    baseTimestamp: Number(batch.readBigInt64BE(27)),
    maxTimestamp: Number(batch.readBigInt64BE(35)),
    producerId: batch.readBigInt64BE(43),
    producerEpoch: batch.readInt16BE(51),
    baseSequence: batch.readInt32BE(53),
    count: batch.readInt32BE(57),
  };
  const codec: KafkaCompression = (['none', 'gzip', 'none', 'lz4'] as const)[header.attributes & 7]!;
  const body = await decompress(codec, batch.subarray(61));
  const at = { pos: 0 };
  const records = [];
  for (let i = 0; i < header.count; i++) {
    const len = readVarlong(body, at);
    const end = at.pos + len;
    const attributes = body[at.pos++];
    const timestamp = header.baseTimestamp + readVarlong(body, at);
    const offsetDelta = readVarlong(body, at);
    const kl = readVarlong(body, at);
    const key = kl < 0 ? null : body.toString('utf8', at.pos, (at.pos += kl));
    const vl = readVarlong(body, at);
    const value = vl < 0 ? null : body.toString('utf8', at.pos, (at.pos += vl));
    const hc = readVarlong(body, at);
    const headers: Array<[string, string]> = [];
    for (let h = 0; h < hc; h++) {
      const hkl = readVarlong(body, at);
      const hk = body.toString('utf8', at.pos, (at.pos += hkl));
      const hvl = readVarlong(body, at);
      headers.push([hk, body.toString('utf8', at.pos, (at.pos += hvl))]);
    }
    expect(at.pos).toBe(end);
    records.push({ attributes, timestamp, offsetDelta, key, value, headers });
  }
  expect(at.pos).toBe(body.length);
  return { header, records, crcOk: crc32c(batch.subarray(21)) === header.crc };
}

describe('RecordBatchBuilder (Kafka message format v2)', () => {
  const input: Array<{ key: string | Buffer | null; value: string | null; headers: KafkaHeadersInput | undefined; ts: number }> = [
    { key: 'user-1', value: '{"n":1}', headers: { trace: 'abc' }, ts: 1_700_000_000_000 },
    { key: null, value: 'ünïcode ✓', headers: undefined, ts: 1_700_000_000_500 },
    { key: Buffer.from('bytes-key'), value: null, headers: { a: ['1', '2'] }, ts: 1_699_999_999_000 },
    { key: 'k', value: 'x'.repeat(300), headers: undefined, ts: 1_700_000_000_000 + 3_000_000_000 },
  ];

  for (const compression of ['none', 'gzip', 'lz4'] as const) {
    it(`writes header, records and a valid CRC-32C (${compression})`, async () => {
      const b = new RecordBatchBuilder(16);
      for (const r of input) b.append(r.key, r.value, r.headers, r.ts);
      const bytes = await b.build({ producerId: 42n, producerEpoch: 3, baseSequence: 17 }, compression);
      const { header, records, crcOk } = await decode(bytes);
      expect(crcOk).toBe(true);
      expect(header).toMatchObject({
        baseOffset: 0n,
        length: bytes.length - 12,
        magic: 2,
        attributes: { none: 0, gzip: 1, lz4: 3 }[compression],
        lastOffsetDelta: 3,
        baseTimestamp: 1_700_000_000_000,
        maxTimestamp: 1_700_000_000_000 + 3_000_000_000,
        producerId: 42n,
        producerEpoch: 3,
        baseSequence: 17,
        count: 4,
      });
      expect(records).toEqual([
        { attributes: 0, timestamp: 1_700_000_000_000, offsetDelta: 0, key: 'user-1', value: '{"n":1}', headers: [['trace', 'abc']] },
        { attributes: 0, timestamp: 1_700_000_000_500, offsetDelta: 1, key: null, value: 'ünïcode ✓', headers: [] },
        { attributes: 0, timestamp: 1_699_999_999_000, offsetDelta: 2, key: 'bytes-key', value: null, headers: [['a', '1'], ['a', '2']] },
        { attributes: 0, timestamp: 1_700_000_000_000 + 3_000_000_000, offsetDelta: 3, key: 'k', value: 'x'.repeat(300), headers: [] },
      ]);
    });
  }

  it('refuses to build an empty batch', async () => {
    await expect(new RecordBatchBuilder().build({ producerId: 1n, producerEpoch: 0, baseSequence: 0 }, 'none')).rejects.toThrow(/no records/);
  });

  it('sizes zig-zag varints like the encoder writes them', () => {
    for (const v of [0, -1, 1, 63, -64, 64, -65, 8191, 8192, 2 ** 30 - 1, -(2 ** 30), 2 ** 31 - 1, -(2 ** 31)]) {
      let z = BigInt(v) >= 0n ? BigInt(v) * 2n : -BigInt(v) * 2n - 1n;
      let n = 1;
      while (z >= 0x80n) ((z >>= 7n), n++);
      expect(varintSize(v), `varint ${v}`).toBe(n);
    }
    for (const v of [2 ** 40, -(2 ** 40), 3_000_000_000, Number.MAX_SAFE_INTEGER]) {
      let z = v >= 0 ? BigInt(v) * 2n : -BigInt(v) * 2n - 1n;
      let n = 1;
      while (z >= 0x80n) ((z >>= 7n), n++);
      expect(varlongSize(v), `varlong ${v}`).toBe(n);
    }
  });
});

describe('onePerPartition', () => {
  it('puts at most one batch per partition in a request, keeping each partition\'s order', async () => {
    const { onePerPartition } = await import('../../../../transforms/io/kafka/wire/wire-producer.js');
    const batches = [0, 0, 1, 0, 2, 1].map((partition, i) => ({ partition, i }));
    expect(onePerPartition(batches)).toEqual([
      [{ partition: 0, i: 0 }, { partition: 1, i: 2 }, { partition: 2, i: 4 }],
      [{ partition: 0, i: 1 }, { partition: 1, i: 5 }],
      [{ partition: 0, i: 3 }],
    ]);
  });
});
