import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Capture } from '../../../sdk/testing/capture.js';
import { FixedWindows } from '../../../sdk/windows/fixed-windows.js';
import { Count } from '../../../transforms/combiners/count.js';
import { Create } from '../../../transforms/create.js';
import { LineReader, LineSourceStats, TextFile } from '../../../transforms/io/text-file.js';
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

describe.each(RUNNERS)('TextFile on $label', ({ options }) => {
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
