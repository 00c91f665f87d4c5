import { StateCodecError } from './state-codec.js';

/**
 * A growable little-endian byte buffer for codecs: bytes, LEB128 unsigned varints (up to 2^32-1),
 * float64 and UTF-8 strings, appended in order.
 * @example const w = new ByteWriter(); w.varint(300); w.f64(-0); w.finish() // 10 bytes
 */
export class ByteWriter {
  private buf: Buffer;
  private view: DataView;
  private pos = 0;

  constructor(initialBytes = 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialBytes));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  get length(): number {
    return this.pos;
  }

  u8(x: number): void {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.buf[this.pos++] = x;
  }

  /** An unsigned integer below 2^32, in 1 to 5 bytes. */
  varint(x: number): void {
    if (this.pos + 5 > this.buf.length) this.grow(5);
    while (x > 0x7f) {
      this.buf[this.pos++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.buf[this.pos++] = x;
  }

  f64(x: number): void {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    this.view.setFloat64(this.pos, x, true);
    this.pos += 8;
  }

  u32(x: number): void {
    if (this.pos + 4 > this.buf.length) this.grow(4);
    this.view.setUint32(this.pos, x, true);
    this.pos += 4;
  }

  /** Appends the UTF-8 bytes of `s` and returns how many there were. */
  utf8(s: string): number {
    if (this.pos + s.length * 3 > this.buf.length) this.grow(s.length * 3);
    const n = this.buf.write(s, this.pos, 'utf8');
    this.pos += n;
    return n;
  }

  bytes(b: Uint8Array): void {
    if (this.pos + b.length > this.buf.length) this.grow(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + need));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
}

/**
 * Reads what a ByteWriter wrote, in the same order.
 * @throws StateCodecError (naming `codec`) when a read runs past the end or a varint is too long.
 */
export class ByteReader {
  private readonly buf: Buffer;
  private readonly view: DataView;
  private pos = 0;

  constructor(
    bytes: Uint8Array,
    private readonly codec: string,
    private readonly what: string,
  ) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let x = 0;
    let shift = 0;
    for (;;) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      if (shift === 28 && b > 0x0f) this.fail('varint longer than 32 bits');
      x |= (b & 0x7f) << shift;
      if (b < 0x80) return x >>> 0;
      shift += 7;
    }
  }

  f64(): number {
    this.need(8);
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }

  u32(): number {
    this.need(4);
    const x = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return x;
  }

  utf8(byteLength: number): string {
    this.need(byteLength);
    const s = this.buf.toString('utf8', this.pos, this.pos + byteLength);
    this.pos += byteLength;
    return s;
  }

  /** The next `n` bytes (a view, not a copy). */
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** @throws StateCodecError when bytes are left over. */
  end(): void {
    if (this.pos !== this.buf.length) this.fail(`${this.buf.length - this.pos} bytes left over`);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) this.fail(`needs ${n} more bytes at offset ${this.pos} of ${this.buf.length}`);
  }

  private fail(message: string): never {
    throw new StateCodecError(this.codec, `${this.what}: ${message}`);
  }
}
