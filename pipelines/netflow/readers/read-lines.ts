import { LineReader, type NumberedLine } from '../../../transforms/io/line-reader.js';

/**
 * Streams the lines of a text file (the line reader of the file sources: `\n` or `\r\n` terminators
 * dropped, a leading BOM dropped), holding one 256 KiB chunk and the current line in memory, in time
 * linear in the file's length. Nothing is silently altered: a line that is not valid UTF-8 comes with
 * its exact `bytes` (its `text` then has U+FFFD where bytes were invalid), and a line longer than the
 * longest string comes with `tooLong` and only its first bytes as `text`; callers reject those.
 * @throws the file's error (e.g. `ENOENT`) from the first iteration when the file cannot be read.
 * @example for await (const { text, bytes } of readLines('conn.log')) if (bytes === undefined) count(text);
 */
export async function* readLines(path: string): AsyncGenerator<NumberedLine> {
  const reader = await LineReader.open(path);
  try {
    for (let done = false; !done; ) {
      const batch = await reader.next(1024);
      yield* batch.lines;
      done = batch.done;
    }
  } finally {
    await reader.close();
  }
}
