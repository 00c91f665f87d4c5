import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Streams the lines of a text file, without their terminators (`\n` or `\r\n`), holding only
 * the current chunk in memory.
 * @throws the stream's error (e.g. `ENOENT`) from the first iteration when the file cannot be read.
 * @example for await (const line of readLines('conn.log')) count++;
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } finally {
    lines.close();
  }
}
