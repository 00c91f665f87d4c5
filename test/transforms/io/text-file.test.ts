import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../sdk/dead-letter.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { FixedWindows } from '../../../sdk/windows/fixed-windows.js';
import { Count } from '../../../transforms/combiners/count.js';
import { Create } from '../../../transforms/create.js';
import { LineReader } from '../../../transforms/io/line-reader.js';
import { InputTruncatedError, LineSourceStats, TextFile } from '../../../transforms/io/text-file.js';
import { Window } from '../../../transforms/window.js';
import { RUNNERS, runWith } from '../../support/runners.js';

describe('LineReader', () => {
  it('splits on \\n and \\r\\n, drops a BOM, keeps a last line without terminator, and decodes characters split across chunks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lines-'));
    const path = join(dir, 'x.txt');
    const long = 'é'.repeat(200_000); // 400,000 bytes: crosses the 256 KiB chunk boundary mid-character
    writeFileSync(path, `\uFEFFone\r\ntwo\n\n${long}\nlast`);
    const r = await LineReader.open(path);
    const got: { text: string; line: number }[] = [];
    for (let done = false; !done; ) {
      const b = await r.next(2);
      got.push(...b.lines);
      done = b.done;
    }
    await r.close();
    expect(got.map((l) => (l.text.length > 20 ? `${l.text.length} chars` : l.text))).toEqual(['one', 'two', '', '200000 chars', 'last']);
    expect(got.map((l) => l.line)).toEqual([1, 2, 3, 4, 5]);
    expect(got[3]!.text).toBe(long);
  });
});

describe('LineReader on a file being appended to', () => {
  async function readAll(r: LineReader, max: number, during?: (linesSoFar: number) => void): Promise<{ text: string; line: number; partial?: true }[]> {
    const got: { text: string; line: number; partial?: true }[] = [];
    for (let done = false; !done; ) {
      const b = await r.next(max);
      got.push(...b.lines);
      done = b.done;
      during?.(got.length);
    }
    await r.close();
    return got;
  }

  it('a last line still being written when the read reaches the end (the file grew since it was opened) is given as partial, not as a line', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lines-growing-')), 'x.txt');
    writeFileSync(path, '1\n2\n3');
    const r = await LineReader.open(path, { chunkBytes: 2 });
    // after the first line, a writer completes line 3 and starts line 4: '55' is half of '555\n'
    const got = await readAll(r, 1, (n) => n === 1 && appendFileSync(path, '4\n55'));
    expect(got).toEqual([{ text: '1', line: 1 }, { text: '2', line: 2 }, { text: '34', line: 3 }, { text: '55', line: 4, partial: true }]);
  });

  it('a static file whose last line has no newline still gives that line as a line (also read again from a position)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lines-static-')), 'x.txt');
    writeFileSync(path, '1\n2\n3');
    expect(await readAll(await LineReader.open(path, { chunkBytes: 2 }), 1)).toEqual([{ text: '1', line: 1 }, { text: '2', line: 2 }, { text: '3', line: 3 }]);
    expect(await readAll(await LineReader.open(path, { from: { byte: 2, line: 1 } }), 5)).toEqual([{ text: '2', line: 2 }, { text: '3', line: 3 }]);
    // lines appended during the read, the last one terminated: all lines, none partial
    const got = await readAll(await LineReader.open(path, { chunkBytes: 2 }), 1, (n) => n === 1 && appendFileSync(path, '4\n'));
    expect(got).toEqual([{ text: '1', line: 1 }, { text: '2', line: 2 }, { text: '34', line: 3 }]);
  });
});

describe('LineReader and invalid UTF-8', () => {
  it('gives the bytes of exactly the lines that are not valid UTF-8, whatever the chunk size (characters split across chunks are valid)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lines-utf8-'));
    const path = join(dir, 'x.txt');
    const bad = Buffer.from([0x61, 0xe2, 0x82, 0x0d]); // 'a' and a cut '€' (the \r is the line end's)
    writeFileSync(path, Buffer.concat([Buffer.from('é€😀\n'), bad, Buffer.from('\n€€€€\r\n'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\n😀')]));
    for (const chunkBytes of [1, 2, 3, 5, 7, 1024]) {
      const r = await LineReader.open(path, { chunkBytes });
      const got: { text: string; line: number; bytes?: Buffer }[] = [];
      for (let done = false; !done; ) {
        const b = await r.next(10);
        got.push(...b.lines);
        done = b.done;
      }
      await r.close();
      expect(got.map((l) => l.bytes), `chunkBytes ${chunkBytes}`).toEqual([undefined, Buffer.from([0x61, 0xe2, 0x82]), undefined, Buffer.from([0xed, 0xa0, 0x80]), undefined]);
      expect(got.map((l) => l.text)[4]).toBe('😀');
    }
  });
});

describe.each(RUNNERS)('TextFile on $label', ({ options }) => {
  it('an input truncated while it is read fails the run (InputTruncatedError) instead of ending early, and the output file stays as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'textfile-truncated-'));
    const input = join(dir, 'in.txt');
    const output = join(dir, 'out.txt');
    writeFileSync(input, Array.from({ length: 10_000 }, (_, i) => `line ${i} ${'x'.repeat(90)}`).join('\n') + '\n'); // ~1 MB: several chunks
    writeFileSync(output, 'the output of an earlier run\n');
    const run = runWith(options, (p) =>
      p
        .apply('Lines', TextFile.lines(input, { timestamp: (_text, line) => {
          if (line === 5) truncateSync(input, 1000); // another program cuts the file under the reader
          return undefined;
        } }))
        .apply('Write', TextFile.write(output, (l: string) => l)),
    );
    await expect(run).rejects.toThrow(/in\.txt shrank to 1000 bytes while it was read/);
    // the error names the read step and the file (the project's error rule)
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputTruncatedError);
    expect(error).toMatchObject({ step: 'Lines', path: input, size: 1000 });
    expect((error as Error).message).toMatch(/^step 'Lines': input file .*in\.txt shrank/);
    expect(readFileSync(output, 'utf8')).toBe('the output of an earlier run\n');
    expect(readdirSync(dir).sort()).toEqual(['in.txt', 'out.txt']);
  });

  it('a last line still being written when the read gets to the end goes to the dead letters (partial-line), never read as a cut record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'textfile-growing-'));
    const input = join(dir, 'in.ndjson');
    // more than one 256 KiB read chunk of lines, so the reader is mid-file when line 1 is mapped
    const first = Array.from({ length: 30_000 }, (_, i) => String(i));
    writeFileSync(input, first.join('\n') + '\n');
    const stats = new LineSourceStats();
    const { out, result } = await runWith(options, (p) => {
      const values = p.apply('Json', TextFile.ndjson<number>(input, {
        stats,
        timestamp: (_v, line) => {
          if (line === 1) appendFileSync(input, '30000\n300'); // a writer appends a line and half of the next, 30001
          return undefined;
        },
      }));
      return { values: values.apply('V', Capture.records()), dead: values.deadLetters().apply('D', Capture.records()) };
    });
    const got = out.values.values();
    expect(got).toHaveLength(30_001);
    expect(got.at(-1)).toBe(30_000); // not 300: the half-written record is no record
    expect(out.dead.values().map((d) => [d.step, d.reason, d.origin, d.element])).toEqual([['Json', 'partial-line', { file: input, line: 30_002 }, '300']]);
    expect(out.dead.values()[0]!.message).toMatch(/still being written/);
    expect(result.metrics['Json']!.deadLettered).toBe(1);
    expect(stats).toMatchObject({ lines: 30_002, elements: 30_001, deadLettered: { 'partial-line': 1 } });
  });

  it('a line that is not valid UTF-8 goes to the dead letters with its exact bytes (base64), never decoded into U+FFFD', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'textfile-utf8-'));
    const input = join(dir, 'in.ndjson');
    const bad = [Buffer.from('{"a":"caf\xe9"}', 'latin1'), Buffer.from([0x7b, 0x22, 0x62, 0x22, 0x3a, 0xc3, 0x7d]), Buffer.from([0xff, 0xfe, 0x00, 0x41])];
    // valid multi-byte text around the bad lines, one of them a last line without newline
    writeFileSync(input, Buffer.concat([Buffer.from('{"a":"é€😀"}\n'), bad[0]!, Buffer.from('\r\n{"a":2}\n'), bad[1]!, Buffer.from('\n{"a":3}\n'), bad[2]!]));
    const stats = new LineSourceStats();
    const { out, result } = await runWith(options, (p) => {
      const values = p.apply('Json', TextFile.ndjson(input, { stats }));
      return { values: values.apply('V', Capture.records()), dead: values.deadLetters().apply('D', Capture.records()) };
    });
    expect(out.values.values()).toEqual([{ a: 'é€😀' }, { a: 2 }, { a: 3 }]);
    const dead = out.dead.values();
    expect(dead.map((d) => [d.step, d.reason, d.origin])).toEqual([2, 4, 6].map((line) => ['Json', 'invalid-utf8', { file: input, line }]));
    expect(dead.map((d) => Buffer.from((d.element as { value: string }).value, 'base64'))).toEqual(bad);
    expect(dead.map((d) => (d.element as { encoding: string }).encoding)).toEqual(['base64', 'base64', 'base64']);
    expect(result.metrics['Json']!.deadLettered).toBe(3);
    expect(stats).toMatchObject({ lines: 6, elements: 3, deadLettered: { 'invalid-utf8': 3 } });
    // TextFile.lines too; `invalidUtf8: 'replace'` keeps the old decoding for whoever wants it
    const lines = await runWith(options, (p) => {
      const l = p.apply('Lines', TextFile.lines(input));
      return { values: l.apply('V', Capture.records()), dead: l.deadLetters().apply('D', Capture.records()) };
    });
    expect(lines.out.values.values()).toEqual(['{"a":"é€😀"}', '{"a":2}', '{"a":3}']);
    expect(lines.out.dead.values()).toHaveLength(3);
    const replaced = await runWith(options, (p) => p.apply('Lines', TextFile.lines(input, { invalidUtf8: 'replace' })).apply(Capture.records()));
    expect(replaced.out.values()).toHaveLength(6);
    expect(replaced.out.values()[1]).toBe('{"a":"caf\uFFFD"}');
  });

  it('reads lines and NDJSON; lines that are not JSON go to dead letters with file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'textfile-'));
    const input = join(dir, 'in.ndjson');
    writeFileSync(input, '\uFEFF{"a":1}\r\n\n{"a":2\n{"a":"é€😀"}\n[1,2]');
    const lines = await runWith(options, (p) => p.apply('Lines', TextFile.lines(input)).apply(Capture.records()));
    expect(lines.out.values()).toEqual(['{"a":1}', '{"a":2', '{"a":"é€😀"}', '[1,2]']);
    const stats = new LineSourceStats();
    const parsed = await runWith(options, (p) => {
      const values = p.apply('Json', TextFile.ndjson(input, { stats }));
      return { values: values.apply('V', Capture.records()), dead: values.deadLetters().apply('D', Capture.records()) };
    });
    expect(parsed.out.values.values()).toEqual([{ a: 1 }, { a: 'é€😀' }, [1, 2]]);
    expect(parsed.out.dead.values().map((d) => [d.step, d.reason, d.origin, d.element])).toEqual([['Json', 'malformed-json', { file: input, line: 3 }, '{"a":2']]);
    expect(parsed.result.metrics['Json']!.deadLettered).toBe(1);
    expect(stats).toMatchObject({ lines: 5, elements: 3, skipped: { blank: 1 }, deadLettered: { 'malformed-json': 1 } });
  });

  it('NDJSON: an integer beyond 2^53 - 1 (a 64-bit id) is an unsafe-integer dead letter with file and line, never read as another number', async () => {
    const input = join(mkdtempSync(join(tmpdir(), 'textfile-')), 'ids.ndjson');
    writeFileSync(input, '{"id":1}\n{"id":18446744073709551615}\n[9007199254740993]\n{"id":"18446744073709551615","n":9007199254740991}\n');
    const parsed = await runWith(options, (p) => {
      const values = p.apply('Json', TextFile.ndjson(input));
      return { values: values.apply('V', Capture.records()), dead: values.deadLetters().apply('D', Capture.records<DeadLetter>()) };
    });
    expect(parsed.out.values.values()).toEqual([{ id: 1 }, { id: '18446744073709551615', n: 9007199254740991 }]);
    expect(parsed.out.dead.values().map((d) => [d.reason, d.origin, d.element, d.message])).toEqual([
      ['unsafe-integer', { file: input, line: 2 }, '{"id":18446744073709551615}', 'member "id" is the integer 18446744073709551615, which a number would read as 18446744073709552000'],
      ['unsafe-integer', { file: input, line: 3 }, '[9007199254740993]', 'member "0" is the integer 9007199254740993, which a number would read as 9007199254740992'],
    ]);
  });

  it('with a maxOutOfOrderness watermark, windows fire while reading and records further out of order are late', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'textfile-'));
    const input = join(dir, 'times.txt');
    // 10,000 lines a ms apart, then one 5 s behind the latest: late under a 1 s bound
    writeFileSync(input, [...Array.from({ length: 10_000 }, (_, i) => String(i)), '4000'].join('\n'));
    const { out, result } = await runWith({ ...options, bundleSize: 100, maxBatchSize: 1000 }, (p) =>
      p
        .apply('Times', TextFile.lines(input, { timestamp: (t) => Number(t), watermark: { maxOutOfOrderness: 1000 } }))
        .apply(Window.into<string>(FixedWindows(5000)))
        .apply(Count.globally().withoutDefaults())
        .apply(Capture.records()),
    );
    expect(out.values()).toEqual([5000, 5000]);
    const combine = Object.entries(result.metrics).filter(([k]) => k.endsWith('/Combine'));
    expect(combine.map(([, m]) => m.lateDropped)).toEqual([1]);
  });

  it('writes one line per element, flushing a bounded buffer, and reads back the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'textfile-'));
    const output = join(dir, 'sub', 'out.ndjson');
    const values: { i: number; s: string }[] = Array.from({ length: 5000 }, (_, i) => ({ i, s: 'x'.repeat(i % 50) + 'ü' }));
    values.push({ i: -1, s: 'y'.repeat(300_000) });
    const { result } = await runWith(options, (p) => p.apply(Create(values)).apply('Write', TextFile.write<{ i: number; s: string }>(output, (v) => JSON.stringify(v), 4096)));
    const text = readFileSync(output, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(values);
    expect(result.metrics['Write']!.elementsIn).toBe(5001);
    expect(result.metrics['Write']!.counters['bytesWritten']).toBe(Buffer.byteLength(text));
  });

  it.runIf(existsSync('/dev/full'))('a failing write (a full device) fails the run naming the step, not silently', async () => {
    const values = Array.from({ length: 3000 }, (_, i) => ({ i, s: 'z'.repeat(40) }));
    const run = runWith(options, (p) => p.apply(Create(values)).apply('WriteFull', TextFile.write<{ i: number; s: string }>('/dev/full', (v) => JSON.stringify(v), 4096)));
    await expect(run).rejects.toThrow(/WriteFull[\s\S]*ENOSPC|ENOSPC[\s\S]*WriteFull/);
  });
});
