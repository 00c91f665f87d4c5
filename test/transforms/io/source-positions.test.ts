import fc from 'fast-check';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourcePositionError } from '../../../sdk/errors.js';
import type { Source } from '../../../sdk/io/source.js';
import { TestStream } from '../../../sdk/testing/test-stream.js';
import { Create } from '../../../transforms/create.js';
import { Generate } from '../../../transforms/io/generate.js';
import { LineReader, type LinePosition } from '../../../transforms/io/line-reader.js';
import { lineSource, type LineOutcome } from '../../../transforms/io/text-file.js';
import { concat, drain, emptyObserved, observe, openSource, sourceOf, takeThroughPump, throughCheckpoint } from '../../support/source-reads.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'positions-'));

/** Reads every line with `LineReader`, `max` lines per call. */
async function readLines(path: string, max: number, options: { from?: LinePosition; chunkBytes?: number } = {}, calls = Infinity): Promise<{ lines: { text: string; line: number }[]; position: LinePosition; done: boolean }> {
  const r = await LineReader.open(path, options);
  const lines: { text: string; line: number }[] = [];
  let done = false;
  for (let i = 0; i < calls && !done; i++) {
    const b = await r.next(max);
    lines.push(...b.lines);
    done = b.done;
  }
  const position = r.position();
  await r.close();
  return { lines, position, done };
}

/** Text of lines with multi-byte characters, `\r\n` or `\n` endings, maybe a BOM and maybe no last terminator. */
const fileContent = fc
  .record({
    bom: fc.boolean(),
    lines: fc.array(fc.tuple(fc.array(fc.constantFrom('a', 'b', ' ', 'é', '€', '😀', '{', '"', '\r')).map((cs) => cs.join('')), fc.boolean()), { maxLength: 30 }),
    lastTerminated: fc.boolean(),
  })
  .map(({ bom, lines, lastTerminated }) => {
    const text = lines.map(([t, crlf], i) => t + (i < lines.length - 1 || lastTerminated ? (crlf ? '\r\n' : '\n') : '')).join('');
    return (bom ? '\uFEFF' : '') + text;
  });

describe('LineReader positions', () => {
  it('reading k calls, then a new reader from the position, gives exactly one uninterrupted read (multi-byte UTF-8, CRLF, BOM, chunk cuts)', async () => {
    const dir = tmp();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fileContent, fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), async (content, max, calls, chunk1, chunk2) => {
        const path = join(dir, `f${n++}.txt`);
        writeFileSync(path, content);
        const whole = await readLines(path, max);
        const first = await readLines(path, max, { chunkBytes: chunk1 }, calls);
        const rest = await readLines(path, max, { from: throughCheckpoint(first.position) as LinePosition, chunkBytes: chunk2 });
        expect([...first.lines, ...rest.lines]).toEqual(whole.lines);
        // The byte offset is exact: the bytes before it hold exactly the lines read (a BOM and terminators included).
        const bytes = Buffer.from(content, 'utf8');
        const before = bytes.subarray(0, first.position.byte).toString('utf8').replace(/^\uFEFF/, '');
        const linesBefore = before === '' ? [] : before.replace(/\n$/, '').split('\n').map((l) => l.replace(/\r$/, ''));
        expect(linesBefore).toEqual(first.lines.map((l) => l.text));
        expect(first.position.line).toBe(first.lines.length);
        expect(rest.position).toEqual(whole.position);
      }),
      { numRuns: 200 },
    );
  });

  it('a cut right after a line in the middle of a file of 4-byte characters and CRLF lines, across 256 KiB chunks', async () => {
    const path = join(tmp(), 'emoji.txt');
    const line = '😀'.repeat(1000); // 4,000 bytes a line
    writeFileSync(path, Array.from({ length: 200 }, (_, i) => `${i}${line}`).join('\r\n'));
    const whole = await readLines(path, 7);
    const first = await readLines(path, 7, {}, 10);
    expect(first.position).toEqual({ byte: 70 * (4000 + 2) + 10 * 1 + 60 * 2, line: 70 });
    const rest = await readLines(path, 7, { from: first.position });
    expect([...first.lines, ...rest.lines]).toEqual(whole.lines);
    expect(rest.lines[0]!.text).toBe(`70${line}`);
  });

  it('stopAt returns no line past the limit until lifted', async () => {
    const path = join(tmp(), 'x.txt');
    writeFileSync(path, 'a\nbb\nccc\ndddd\n');
    const r = await LineReader.open(path);
    r.stopAt(5); // after "bb\n"
    expect((await r.next(10)).lines.map((l) => l.text)).toEqual(['a', 'bb']);
    expect(await r.next(10)).toEqual({ lines: [], done: false });
    expect(r.position()).toEqual({ byte: 5, line: 2 });
    r.stopAt(undefined);
    expect(await r.next(10)).toEqual({ lines: [{ text: 'ccc', line: 3 }, { text: 'dddd', line: 4 }], done: true });
    await r.close();
  });
});

/** An NDJSON-like mapper: numbers are elements stamped with themselves, `x…` lines are dead letters, blank lines are skipped. */
const mapNumbers = (text: string): LineOutcome<number> => {
  if (text.trim() === '') return { kind: 'skip', reason: 'blank' };
  const n = Number(text);
  return Number.isFinite(n) ? { kind: 'element', value: n, timestamp: n } : { kind: 'dead', reason: 'not-a-number', message: text };
};

describe('lineSource positions through a read-ahead pump', () => {
  it('resuming from the pump position of what was taken (not the reader, which ran ahead) loses and repeats nothing', async () => {
    const dir = tmp();
    const path = join(dir, 'numbers.txt');
    const lines = Array.from({ length: 3000 }, (_, i) => (i % 97 === 5 ? `x${i}` : i % 89 === 3 ? '' : String((i * 7919) % 5000)));
    writeFileSync(path, `\uFEFF${lines.join('\r\n')}`);
    const source = lineSource('Numbers', path, mapNumbers, { watermark: { maxOutOfOrderness: 100 } }) as Source<unknown>;
    const whole = await drain(await openSource(source), 64);
    expect(whole.deadLetters.length).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: Math.ceil(3000 / 64) + 1 }), async (take) => {
        const { taken, position, readerPosition, takenAll } = await takeThroughPump(source, take, 64);
        if (!takenAll) expect(readerPosition).not.toEqual(position); // the reader did read ahead
        const rest = takenAll ? emptyObserved() : await drain(await openSource(source, position), 64);
        // Same elements with the same timestamps, the same dead letters with their line numbers, the same watermarks.
        expect(concat(taken, rest)).toEqual(whole);
      }),
      { numRuns: 25 },
    );
  });

  it('stopAt on a new reader stops exactly at a position an earlier read took', async () => {
    const path = join(tmp(), 'n.txt');
    writeFileSync(path, Array.from({ length: 500 }, (_, i) => String(i)).join('\n'));
    const source = lineSource('Numbers', path, mapNumbers) as Source<unknown>;
    const { position } = await takeThroughPump(source, 3, 50);
    expect(position).toMatchObject({ line: 150 });
    const r = await openSource(source);
    r.stopAt!(position);
    const got = emptyObserved();
    for (let i = 0; i < 10; i++) observe(got, await r.poll(40, 0));
    expect(got.elements.length).toBe(150);
    expect(r.position!()).toEqual(position);
    r.stopAt!(undefined);
    await drain(r, 40, got);
    expect(got.elements.map(([v]) => v)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });
});

describe('lineSource on a file that changed since the position was taken', () => {
  const numbers = (n: number, from = 0): string => Array.from({ length: n }, (_, i) => `${from + i}\n`).join('');

  async function positionAfter(source: Source<unknown>, polls: number): Promise<unknown> {
    const r = await openSource(source);
    for (let i = 0; i < polls; i++) await r.poll(10, 0);
    const p = throughCheckpoint(r.position!());
    await r.close();
    return p;
  }

  it('a file that grew (lines appended): the resumed read goes on and reads the new lines too', async () => {
    const path = join(tmp(), 'grow.txt');
    writeFileSync(path, numbers(30));
    const source = lineSource('Numbers', path, mapNumbers) as Source<unknown>;
    const p = await positionAfter(source, 2);
    appendFileSync(path, numbers(5, 30));
    const rest = await drain(await openSource(source, p), 10);
    expect(rest.elements.map(([v]) => v)).toEqual(Array.from({ length: 15 }, (_, i) => 20 + i));
  });

  it('a file replaced by another one fails clearly (replaced), and so does a truncated one (truncated)', async () => {
    const dir = tmp();
    const path = join(dir, 'swap.txt');
    writeFileSync(path, numbers(30));
    const source = lineSource('Numbers', path, mapNumbers) as Source<unknown>;
    const p = await positionAfter(source, 2);
    writeFileSync(path, numbers(30, 1000).slice(0, 400)); // other content, longer than the position
    const replaced = await openSource(source, p).catch((e: unknown) => e);
    expect(replaced).toBeInstanceOf(SourcePositionError);
    expect(replaced).toMatchObject({ problem: 'replaced', input: path });
    expect((replaced as Error).message).toMatch(/replaced or rewritten since/);
    writeFileSync(path, numbers(3));
    await expect(openSource(source, p)).rejects.toMatchObject({ name: 'SourcePositionError', problem: 'truncated' });
  });

  it('an unterminated last line that was read and then grew fails clearly (partial-line-grew)', async () => {
    const path = join(tmp(), 'partial.txt');
    writeFileSync(path, '1\n2\n3');
    const source = lineSource('Numbers', path, mapNumbers) as Source<unknown>;
    const p = await positionAfter(source, 1);
    expect(p).toMatchObject({ byte: 5, line: 3 });
    appendFileSync(path, '4\n5\n');
    await expect(openSource(source, p)).rejects.toMatchObject({ problem: 'partial-line-grew' });
  });

  it('a device (or pipe) is read without a fingerprint, and its position cannot be resumed (not-resumable)', async () => {
    const source = lineSource('Null', '/dev/null', mapNumbers) as Source<unknown>;
    const r = await openSource(source);
    expect(await r.poll(10, 0)).toMatchObject({ elements: [], done: true });
    const p = throughCheckpoint(r.position!());
    await r.close();
    expect(p).toEqual({ byte: 0, line: 0, maxTs: -(2 ** 53 - 1) });
    await expect(openSource(source, p)).rejects.toMatchObject({ name: 'SourcePositionError', problem: 'not-resumable' });
  });

  it('a position that is not a line source position fails as malformed', async () => {
    const path = join(tmp(), 'm.txt');
    writeFileSync(path, '1\n');
    const source = lineSource('Numbers', path, mapNumbers) as Source<unknown>;
    await expect(openSource(source, { offsets: [1] })).rejects.toMatchObject({ problem: 'malformed' });
  });
});

describe('positions of in-memory sources', () => {
  const cases: { name: string; source: () => Source<unknown>; poll: number }[] = [
    { name: 'Generate.of', source: () => sourceOf(Generate.of({ count: 1000, element: (i) => `e${i}`, timestamp: (i) => (i * 37) % 500, maxOutOfOrderness: 20 })) as Source<unknown>, poll: 64 },
    { name: 'Create.timestamped', source: () => sourceOf(Create.timestamped(Array.from({ length: 300 }, (_, i) => ({ value: i, timestamp: i })))) as Source<unknown>, poll: 16 },
    {
      name: 'TestStream',
      source: () =>
        sourceOf(
          TestStream.create<string>({ startTime: 100 })
            .addElements(['a', 1], ['b', 2])
            .advanceProcessingTime(50)
            .advanceWatermarkTo(10)
            .addElements(['c', 11])
            .advanceWatermarkTo(20)
            .advanceProcessingTime(5)
            .addElements(['late', 3])
            .advanceWatermarkToInfinity(),
        ) as Source<unknown>,
      poll: 1,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: taking any number of batches through a read-ahead pump and resuming reads exactly the rest`, async () => {
      const whole = await drain(await openSource(c.source()), c.poll);
      const polls = whole.watermarks.length;
      for (let take = 0; take <= polls; take++) {
        const { taken, position, readerPosition, takenAll } = await takeThroughPump(c.source(), take, c.poll);
        if (!takenAll) expect(readerPosition).not.toEqual(position);
        const rest = takenAll ? emptyObserved() : await drain(await openSource(c.source(), position), c.poll);
        expect(concat(taken, rest)).toEqual(whole);
      }
    });

    it(`${c.name}: stopAt holds a new reader at a taken position until lifted`, async () => {
      const whole = await drain(await openSource(c.source()), c.poll);
      const { position } = await takeThroughPump(c.source(), 2, c.poll);
      const r = await openSource(c.source());
      r.stopAt!(position);
      const got = emptyObserved();
      for (let i = 0; i < 8; i++) {
        const b = await r.poll(c.poll, 0);
        observe(got, b);
        expect(b.done).toBe(false);
      }
      expect(r.position!()).toEqual(position);
      r.stopAt!(undefined);
      await drain(r, c.poll, got);
      expect(got.elements).toEqual(whole.elements);
    });
  }

  it('TestStream resumes with its processing-time steps on the restored time', async () => {
    const s = (): Source<unknown> => sourceOf(TestStream.create<string>().addElements(['a', 1]).advanceProcessingTime(50).advanceProcessingTime(7).addElements(['b', 2])) as Source<unknown>;
    const { position } = await takeThroughPump(s(), 2, 1);
    expect(position).toEqual({ i: 2, wm: -(2 ** 53 - 1), now: 50, started: true });
    const r = await openSource(s(), position);
    expect((await r.poll(1, 0)).advanceClockTo).toBe(57);
  });

  it('positions that are not the source own fail as malformed', async () => {
    await expect(openSource(cases[0]!.source(), { pos: 3 })).rejects.toMatchObject({ name: 'SourcePositionError', problem: 'malformed' });
    await expect(openSource(cases[1]!.source(), { i: -1 })).rejects.toMatchObject({ problem: 'malformed' });
    await expect(openSource(cases[2]!.source(), { i: 1, wm: 0, now: 0 })).rejects.toMatchObject({ problem: 'malformed' });
  });
});
