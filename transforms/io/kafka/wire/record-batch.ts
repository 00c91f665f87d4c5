import { crc32c } from '@node-rs/crc32';
import type { KafkaHeadersInput } from '../client.js';
import { ByteWriter, writeSafeInt64BE } from './byte-writer.js';
import { compress, compressionAttribute, type KafkaCompression } from './compression.js';

/** Bytes before the first record of a RecordBatch (magic 2). */
const HEADER_SIZE = 61;
/** Offset of the CRC field; the CRC covers everything after it. */
const CRC_AT = 17;
const ATTRIBUTES_AT = 21;
/** The attributes bit of a transactional batch. */
const TRANSACTIONAL_ATTRIBUTE = 0x10;

/** Who writes the batch (idempotence): from InitProducerId, and the partition's next sequence number. */
export interface BatchIdentity {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  /** The batch belongs to a transaction (attribute bit 4): readers in read_committed see it only once the transaction commits. */
  readonly transactional?: boolean;
}

/**
 * Builds one Kafka RecordBatch (message format v2, the only one Kafka 3+ writes) for one
 * partition: records are encoded as they are appended, straight into one growing buffer;
 * `build` stamps the producer identity, compresses and computes the CRC-32C.
 *
 * Record fields follow the format: a varint length, attributes 0, varlong timestamp delta,
 * varint offset delta, key and value as varint-length bytes (-1 for null), then headers.
 *
 * @example
 * ```ts
 * const b = new RecordBatchBuilder();
 * b.append('user-1', '{"n":1}', undefined, Date.now());
 * const bytes = await b.build({ producerId: 7n, producerEpoch: 0, baseSequence: 0 }, 'lz4');
 * ```
 */
export class RecordBatchBuilder {
  private readonly w: ByteWriter;
  private baseTimestamp = 0;
  private maxTimestamp = 0;
  /** Records appended so far. */
  count = 0;

  constructor(initialCapacity = 64 * 1024) {
    this.w = new ByteWriter(initialCapacity);
    this.w.pos = HEADER_SIZE;
  }

  /** Encoded size so far (uncompressed), in bytes. */
  get sizeBytes(): number {
    return this.w.pos;
  }

  /** Appends one record. `timestamp` is CreateTime in epoch ms. */
  append(key: Buffer | string | null | undefined, value: Buffer | string | null, headers: KafkaHeadersInput | undefined, timestamp: number): void {
    if (this.count === 0) this.baseTimestamp = this.maxTimestamp = timestamp;
    else if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const tsDelta = timestamp - this.baseTimestamp;
    const offsetDelta = this.count;
    const keyLen = key == null ? -1 : typeof key === 'string' ? Buffer.byteLength(key, 'utf8') : key.length;
    const valueLen = value === null ? -1 : typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
    const headerList = headers === undefined ? EMPTY : flattenHeaders(headers);
    let headersSize = varintSize(headerList.length);
    for (const [hk, hv] of headerList) headersSize += varintSize(hk.length) + hk.length + varintSize(hv.length) + hv.length;
    const bodyLen =
      1 +
      varlongSize(tsDelta) +
      varintSize(offsetDelta) +
      varintSize(keyLen) +
      Math.max(keyLen, 0) +
      varintSize(valueLen) +
      Math.max(valueLen, 0) +
      headersSize;
    const w = this.w;
    w.ensure(bodyLen + 5);
    w.varint(bodyLen).int8(0).varlong(tsDelta).varint(offsetDelta).varint(keyLen);
    if (key != null) writeBytes(w, key, keyLen);
    w.varint(valueLen);
    if (value !== null) writeBytes(w, value, valueLen);
    w.varint(headerList.length);
    for (const [hk, hv] of headerList) w.varint(hk.length).raw(hk).varint(hv.length).raw(hv);
    this.count++;
  }

  /** Appends one keyless record without headers whose value is `src[start, end)`. */
  appendValue(src: Buffer, start: number, end: number, timestamp: number): void {
    if (this.count === 0) this.baseTimestamp = this.maxTimestamp = timestamp;
    else if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const tsDelta = timestamp - this.baseTimestamp;
    const valueLen = end - start;
    // attributes, timestamp delta, offset delta, key length -1 (1 byte), value length, value, no headers (1 byte)
    const bodyLen = 1 + varlongSize(tsDelta) + varintSize(this.count) + 1 + varintSize(valueLen) + valueLen + 1;
    const w = this.w;
    w.ensure(bodyLen + 5);
    w.varint(bodyLen).int8(0).varlong(tsDelta).varint(this.count).varint(-1).varint(valueLen);
    src.copy(w.buffer, w.pos, start, end);
    w.pos += valueLen;
    w.buffer[w.pos++] = 0;
    this.count++;
  }

  /** The finished batch, ready for a Produce request. The builder must not be used afterwards. */
  async build(id: BatchIdentity, compression: KafkaCompression): Promise<Buffer> {
    if (this.count === 0) throw new RangeError('RecordBatchBuilder.build: no records');
    let out: Buffer;
    if (compression === 'none') {
      out = this.w.finish();
    } else {
      const body = await compress(compression, this.w.finish().subarray(HEADER_SIZE));
      out = Buffer.allocUnsafe(HEADER_SIZE + body.length);
      body.copy(out, HEADER_SIZE);
    }
    out.writeBigInt64BE(0n, 0); // base offset (assigned by the broker)
    out.writeInt32BE(out.length - 12, 8); // batch length: from partition leader epoch to the end
    out.writeInt32BE(-1, 12); // partition leader epoch
    out.writeInt8(2, 16); // magic
    out.writeInt16BE(compressionAttribute(compression) | (id.transactional ? TRANSACTIONAL_ATTRIBUTE : 0), ATTRIBUTES_AT);
    out.writeInt32BE(this.count - 1, 23); // last offset delta
    writeSafeInt64BE(out, this.baseTimestamp, 27);
    writeSafeInt64BE(out, this.maxTimestamp, 35);
    out.writeBigInt64BE(id.producerId, 43);
    out.writeInt16BE(id.producerEpoch, 51);
    out.writeInt32BE(id.baseSequence, 53);
    out.writeInt32BE(this.count, 57);
    out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES_AT)), CRC_AT);
    return out;
  }
}

const EMPTY: ReadonlyArray<readonly [Buffer, Buffer]> = [];

function flattenHeaders(headers: KafkaHeadersInput): Array<readonly [Buffer, Buffer]> {
  const out: Array<readonly [Buffer, Buffer]> = [];
  for (const [k, v] of Object.entries(headers)) {
    const key = Buffer.from(k, 'utf8');
    const values = Array.isArray(v) ? (v as ReadonlyArray<Buffer | string>) : [v as Buffer | string];
    for (const one of values) out.push([key, typeof one === 'string' ? Buffer.from(one, 'utf8') : one]);
  }
  return out;
}

function writeBytes(w: ByteWriter, v: Buffer | string, len: number): void {
  if (typeof v === 'string') {
    w.buffer.write(v, w.pos, len, 'utf8');
    w.pos += len;
  } else {
    w.raw(v);
  }
}

/** Bytes of the zig-zag varint of `v` (int32 range). */
export function varintSize(v: number): number {
  let z = ((v << 1) ^ (v >> 31)) >>> 0;
  let n = 1;
  while (z >= 0x80) {
    z >>>= 7;
    n++;
  }
  return n;
}

/** Bytes of the zig-zag varlong of the safe integer `v`. */
export function varlongSize(v: number): number {
  if (v >= -0x4000_0000 && v < 0x4000_0000) return varintSize(v);
  let z = v >= 0 ? BigInt(v) * 2n : -BigInt(v) * 2n - 1n;
  let n = 1;
  while (z >= 0x80n) {
    z >>= 7n;
    n++;
  }
  return n;
}
