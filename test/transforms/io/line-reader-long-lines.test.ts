import { constants } from 'node:buffer';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../../sdk/dead-letter.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { LineReader, type NumberedLine } from '../../../transforms/io/line-reader.js';
import { LineSourceStats, TextFile } from '../../../transforms/io/text-file.js';
import { RUNNERS, runWith } from '../../support/runners.js';

function tempFile(name: string, data: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'long-lines-')), name);
  writeFileSync(path, data);
  return path;
}

async function readAll(r: LineReader, max = 7): Promise<NumberedLine[]> {
  const got: NumberedLine[] = [];
  for (let done = false; !done; ) {
    const b = await r.next(max);
    got.push(...b.lines);
    done = b.done;
  }
  await r.close();
  return got;
}

afterEach(() => vi.restoreAllMocks());

describe('LineReader on long lines', () => {
  it('copies a line spread over many chunks a bounded number of times (linear), not once per chunk again (quadratic)', async () => {
    const line = 'x'.repeat(4 << 20);
    const path = tempFile('long.txt', `a\n${line}\nb\n`);
    const concat = vi.spyOn(Buffer, 'concat');
    const got = await readAll(await LineReader.open(path, { chunkBytes: 16 << 10 }));
    const copied = concat.mock.calls.reduce((n, [list]) => n + (list as readonly Uint8Array[]).reduce((m, b) => m + b.length, 0), 0);
    expect(got.map((l) => l.text.length)).toEqual([1, line.length, 1]);
    expect(got[1]!.text).toBe(line);
    // Each byte of the long line joined once; before, the whole line so far was copied again at every chunk (~512 MiB here).
    expect(copied).toBeLessThanOrEqual(2 * line.length);
  });

  it('a line longer than maxLineBytes is given as tooLong (its length, its start, its first bytes), never held whole; the lines around it and the positions are intact', async () => {
    const long = 'é'.repeat(600); // 1,200 bytes
    const path = tempFile('mixed.txt', `one\n${long}\r\ntwo\n${'z'.repeat(101)}\n${'y'.repeat(100)}\nlast-${'w'.repeat(200)}`);
    const whole = await readAll(await LineReader.open(path));
    for (const chunkBytes of [1, 3, 7, 64, 4096]) {
      const got = await readAll(await LineReader.open(path, { chunkBytes, maxLineBytes: 100 }));
      const what = `chunkBytes ${chunkBytes}`;
      expect(got.map((l) => [l.line, l.tooLong]), what).toEqual([[1, undefined], [2, { bytes: 1200, from: 4 }], [3, undefined], [4, { bytes: 101, from: 1210 }], [5, undefined], [6, { bytes: 205, from: 1413 }]]);
      expect(got[1]!.text, what).toBe('é'.repeat(50)); // the first 100 bytes
      expect(got[3]!.text, what).toBe('z'.repeat(100));
      expect([got[0]!.text, got[2]!.text, got[4]!.text], what).toEqual(['one', 'two', 'y'.repeat(100)]);
    }
    // Positions after a too-long line are those of the whole read: resuming after it gives the same lines.
    const r = await LineReader.open(path, { chunkBytes: 5, maxLineBytes: 100 });
    await r.next(2);
    const at = r.position();
    await r.close();
    expect(at).toEqual({ byte: 4 + 1202, line: 2 });
    expect((await readAll(await LineReader.open(path, { from: at }))).map((l) => l.text)).toEqual(whole.slice(2).map((l) => l.text));
  });

  it('by default reads lines up to the longest string there can be, and refuses a maxLineBytes past it', async () => {
    await expect(LineReader.open(tempFile('a.txt', 'a\n'), { maxLineBytes: constants.MAX_STRING_LENGTH + 1 })).rejects.toThrow(RangeError);
    await expect(LineReader.open(tempFile('a.txt', 'a\n'), { maxLineBytes: 0 })).rejects.toThrow(RangeError);
  });
});

describe.each(RUNNERS)('line sources on $label: a line too long to read', ({ options }) => {
  it('is a line-too-long dead letter with file, line, its byte range and first bytes; the read goes on', async () => {
    const path = tempFile('in.ndjson', `{"a":1}\n{"a":"${'x'.repeat(5000)}"}\n{"a":2}\n`);
    const stats = new LineSourceStats();
    const { out } = await runWith(options, (p) => {
      const values = p.apply('Json', TextFile.ndjson(path, { maxLineBytes: 1000, stats }));
      return { values: values.apply('V', Capture.records()), dead: values.deadLetters().apply('D', Capture.records<DeadLetter>()) };
    });
    expect(out.values.values()).toEqual([{ a: 1 }, { a: 2 }]);
    const dead = out.dead.values();
    expect(dead.map((d) => [d.reason, d.origin])).toEqual([['line-too-long', { file: path, line: 2 }]]);
    expect(dead[0]!.element).toEqual({ head: `{"a":"${'x'.repeat(1000 - 6)}`, bytes: 5008, from: 8 });
    expect(dead[0]!.message).toBe('line 2 is 5008 bytes long, more than the 1000 a line may have: it is bytes 8..5016 of the file, its first 1000 in the element');
    expect(stats.deadLettered).toEqual({ 'line-too-long': 1 });
  });
});
