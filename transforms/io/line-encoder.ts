/**
 * Writes one element as one line, `\n` included, into `buf` from `offset`: returns the offset after
 * it, or -1 (having written nothing that matters) when it does not fit before `buf.length`.
 */
export type LineEncoder<T> = (value: T, buf: Buffer, offset: number) => number;

/** The encoder of a line given as text (UTF-8). */
export function stringLineEncoder<T>(format: (value: T) => string): LineEncoder<T> {
  return (value, buf, offset) => {
    const line = format(value);
    if (typeof line !== 'string') throw new TypeError(`the format gave ${line === null ? 'null' : typeof line}, not a string (${String(line)})`);
    // A UTF-16 code unit takes at most 3 bytes in UTF-8; measure exactly only near the end.
    if (offset + line.length * 3 + 1 > buf.length && offset + Buffer.byteLength(line, 'utf8') + 1 > buf.length) return -1;
    const end = offset + buf.write(line, offset, buf.length - offset, 'utf8');
    buf[end] = 10;
    return end + 1;
  };
}
