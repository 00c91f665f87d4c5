/**
 * A big-endian reader over one Kafka response (classic, non-flexible encodings).
 * Reading past the end throws a RangeError (a truncated or misparsed response).
 *
 * @example
 * ```ts
 * const r = new ByteReader(frame);
 * const correlationId = r.int32();
 * ```
 */
export class ByteReader {
  pos = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new RangeError(`Kafka response truncated: need ${n} bytes at ${this.pos}, have ${this.buf.length - this.pos}`);
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  /** STRING / NULLABLE_STRING. */
  string(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    this.need(len);
    const v = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return v;
  }

  /** BYTES / NULLABLE_BYTES: int32 length (-1 = null), as a copy. */
  bytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    this.need(len);
    const v = Buffer.from(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return v;
  }

  /** ARRAY: int32 count (-1 = null, read as empty). */
  array<T>(each: (r: this) => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each(this));
    return out;
  }
}
