/**
 * A growable big-endian byte writer for Kafka protocol requests (the classic, non-flexible
 * encodings: int16-length strings, int32-length arrays and bytes) plus the zig-zag varints of
 * record batches.
 *
 * Writes never fail: the buffer doubles as needed. `finish()` returns a view of the bytes
 * written (no copy), valid until the writer is reused.
 *
 * @example
 * ```ts
 * const w = new ByteWriter();
 * w.int16(0).string('client').int32(3);
 * socket.write(w.finish());
 * ```
 */
export class ByteWriter {
  private buf: Buffer;
  /** Bytes written so far (also the position of the next write). */
  pos = 0;

  constructor(initialCapacity = 1024) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** An int64 from a safe integer (timestamps). */
  int64n(v: number): this {
    this.ensure(8);
    writeSafeInt64BE(this.buf, v, this.pos);
    this.pos += 8;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  /** STRING / NULLABLE_STRING: int16 length (-1 for null) then UTF-8. */
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const len = Buffer.byteLength(v, 'utf8');
    this.int16(len);
    this.ensure(len);
    this.pos += this.buf.write(v, this.pos, len, 'utf8');
    return this;
  }

  /** BYTES / NULLABLE_BYTES: int32 length (-1 for null) then the bytes. */
  bytes(v: Uint8Array | null): this {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    return this.raw(v);
  }

  /** The bytes as they are, no length prefix. */
  raw(v: Uint8Array): this {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  /** ARRAY: int32 count, then `each` per item. */
  array<T>(items: readonly T[], each: (w: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) each(this, item);
    return this;
  }

  /** Zig-zag varint (int32 range). */
  varint(v: number): this {
    this.ensure(5);
    let z = ((v << 1) ^ (v >> 31)) >>> 0;
    const b = this.buf;
    let p = this.pos;
    while (z >= 0x80) {
      b[p++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    b[p++] = z;
    this.pos = p;
    return this;
  }

  /** Zig-zag varlong for safe integers (record timestamp deltas). */
  varlong(v: number): this {
    if (v >= -0x4000_0000 && v < 0x4000_0000) return this.varint(v);
    this.ensure(10);
    let z = v >= 0 ? BigInt(v) * 2n : -BigInt(v) * 2n - 1n;
    while (z >= 0x80n) {
      this.buf[this.pos++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.buf[this.pos++] = Number(z);
    return this;
  }

  /** Writes `v` at an earlier position (for lengths known only afterwards). */
  int32At(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
  }

  uint32At(at: number, v: number): void {
    this.buf.writeUInt32BE(v, at);
  }

  /** The underlying buffer (for direct writes after `ensure`). */
  get buffer(): Buffer {
    return this.buf;
  }

  /** A view of the bytes written; the writer may be `reset()` afterwards only if the view is no longer needed. */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Starts over, keeping the allocated capacity. */
  reset(): void {
    this.pos = 0;
  }
}

/** Writes the safe integer `v` as a big-endian int64 at `at` (no BigInt needed). */
export function writeSafeInt64BE(b: Buffer, v: number, at: number): void {
  const hi = Math.floor(v / 0x1_0000_0000);
  b.writeInt32BE(hi, at);
  b.writeUInt32BE(v - hi * 0x1_0000_0000, at + 4);
}
