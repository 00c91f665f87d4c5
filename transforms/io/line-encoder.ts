/**
 * Writes one element as one line, `\n` included, into `buf` from `offset`: returns the offset after
 * it, or -1 (having written nothing that matters) when it does not fit before `buf.length`.
 */
export type LineEncoder<T> = (value: T, buf: Buffer, offset: number) => number;

/**
 * The encoder of a line given as text (UTF-8). Throws a TypeError (the element is then a dead letter,
 * unwritten) when the text would not read back as itself, one line: it holds a `\n` (two records on
 * reading), ends in `\r` (taken for a `\r\n` line end and dropped) or holds a lone surrogate (written as U+FFFD).
 */
export function stringLineEncoder<T>(format: (value: T) => string): LineEncoder<T> {
  return (value, buf, offset) => {
    const line = format(value);
    if (typeof line !== 'string') throw new TypeError(`the format gave ${line === null ? 'null' : typeof line}, not a string (${String(line)})`);
    if (line.includes('\n')) throw new TypeError(`the format gave text with a line end (\\n at ${line.indexOf('\n')}): it would be read back as several lines`);
    if (line.endsWith('\r')) throw new TypeError('the format gave text ending in \\r: it would be read back without it (taken for a \\r\\n line end)');
    if (!line.isWellFormed()) throw new TypeError('the format gave text with a lone surrogate (not Unicode): UTF-8 would write U+FFFD in its place');
    // A UTF-16 code unit takes at most 3 bytes in UTF-8; measure exactly only near the end.
    if (offset + line.length * 3 + 1 > buf.length && offset + Buffer.byteLength(line, 'utf8') + 1 > buf.length) return -1;
    const end = offset + buf.write(line, offset, buf.length - offset, 'utf8');
    buf[end] = 10;
    return end + 1;
  };
}
