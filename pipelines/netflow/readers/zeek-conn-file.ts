import { readLines } from './read-lines.js';
import type { ReadResult } from './read-result.js';
import { ZeekConnParser, type ZeekConnOptions } from './zeek-conn.js';

/**
 * Streams a Zeek conn.log file (tab-separated with headers, or JSON lines) through a fresh
 * {@link ZeekConnParser}, one {@link ReadResult} per line, in file order.
 * @throws the file's read error (e.g. `ENOENT`) from the first iteration.
 * @example
 * for await (const r of readZeekConnFile('conn.log')) if (r.kind === 'flow') handle(parseFlow(r.raw));
 */
export async function* readZeekConnFile(path: string, options: ZeekConnOptions = {}): AsyncGenerator<ReadResult> {
  const parser = new ZeekConnParser(options);
  for await (const line of readLines(path)) yield parser.read(line);
}
