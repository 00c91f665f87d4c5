import { readLines } from './read-lines.js';
import type { ReadResult } from './read-result.js';
import { ZeekConnParser, type ZeekConnOptions } from './zeek-conn.js';

/**
 * Streams a Zeek conn.log file (tab-separated with headers, or JSON lines) through a fresh
 * {@link ZeekConnParser}, one {@link ReadResult} per line, in file order. A line that is not valid
 * UTF-8 is `rejected` / `invalid-utf8` (its bytes in base64 in the detail), one longer than the
 * longest string `rejected` / `line-too-long`: neither is read as altered text.
 * @throws the file's read error (e.g. `ENOENT`) from the first iteration.
 * @example
 * for await (const r of readZeekConnFile('conn.log')) if (r.kind === 'flow') handle(parseFlow(r.raw));
 */
export async function* readZeekConnFile(path: string, options: ZeekConnOptions = {}): AsyncGenerator<ReadResult> {
  const parser = new ZeekConnParser(options);
  for await (const { text, line, bytes, tooLong } of readLines(path)) {
    if (tooLong !== undefined) yield { kind: 'rejected', reason: 'line-too-long', detail: `line ${line} is ${tooLong.bytes} bytes long (from byte ${tooLong.from}), longer than a string can be` };
    else if (bytes !== undefined) yield { kind: 'rejected', reason: 'invalid-utf8', detail: `line ${line} is not valid UTF-8 (its ${bytes.length} bytes in base64: ${bytes.toString('base64')})` };
    else yield parser.read(text);
  }
}
