import fc from 'fast-check';
import { isUtf8 } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Source } from '../../sdk/io/source.js';
import { LineReader, type NumberedLine } from '../../transforms/io/line-reader.js';
import { SuricataEve } from '../../transforms/io/suricata-eve.js';
import { LineSourceStats, TextFile } from '../../transforms/io/text-file.js';
import { ZeekLog } from '../../transforms/io/zeek-log.js';
import { drain, openSource, sourceOf } from '../support/source-reads.js';

/**
 * Nothing lost, nothing destroyed on the input side: random bytes, random line contents (valid records,
 * garbage, invalid UTF-8, JSON nested past the limit, lines past `maxLineBytes`, Zeek headers) and random
 * chunk and poll sizes through the line reader and the NDJSON, Suricata EVE and Zeek sources. Nothing
 * throws; the reader gives exactly the lines of an independent split of the bytes; every line a source
 * reads ends up as exactly one of element, skip or dead letter. Fixed seeds; failures shrink.
 */
const dir = mkdtempSync(join(tmpdir(), 'line-readers-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function fileOf(data: Buffer): string {
  const path = join(dir, `f${files++}`);
  writeFileSync(path, data);
  return path;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The lines of `data` as a line reader must give them, split independently: bytes without `\n` (a `\r` before it kept). */
function referenceLines(data: Buffer): Buffer[] {
  const body = data.subarray(0, 3).equals(BOM) ? data.subarray(3) : data;
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = body.indexOf(10); nl >= 0; nl = body.indexOf(10, start)) {
    lines.push(body.subarray(start, nl));
    start = nl + 1;
  }
  if (start < body.length) lines.push(body.subarray(start));
  return lines;
}

/** Bytes that make line splitting interesting: line ends, `\r`, BOM bytes, invalid and multi-byte UTF-8. */
const arbByte = fc.oneof(fc.constantFrom(0x0a, 0x0d, 0xef, 0xbb, 0xbf, 0x80, 0xff, 0xc3, 0xa9, 0x7b, 0x5b, 0x22), fc.integer({ min: 0, max: 255 }));
const arbBytes = fc.oneof(
  fc.array(arbByte, { maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.tuple(fc.boolean(), fc.array(fc.array(arbByte, { maxLength: 40 }), { maxLength: 12 })).map(([bom, lines]) => Buffer.concat([bom ? BOM : Buffer.alloc(0), ...lines.map((l) => Buffer.from([...l, 0x0a]))])),
);

async function readAll(path: string, chunkBytes: number, maxLineBytes: number | undefined, batch: number): Promise<NumberedLine[]> {
  const r = await LineReader.open(path, maxLineBytes === undefined ? { chunkBytes } : { chunkBytes, maxLineBytes });
  const got: NumberedLine[] = [];
  try {
    for (let done = false; !done; ) {
      const b = await r.next(batch);
      got.push(...b.lines);
      done = b.done;
    }
  } finally {
    await r.close();
  }
  return got;
}

describe('LineReader, fuzzed', () => {
  it('gives every line of random bytes once, as split independently, over random chunk, batch and line-length limits', async () => {
    await fc.assert(
      fc.asyncProperty(arbBytes, fc.integer({ min: 1, max: 64 }), fc.option(fc.integer({ min: 1, max: 48 }), { nil: undefined }), fc.integer({ min: 1, max: 9 }), async (data, chunkBytes, maxLineBytes, batch) => {
        const path = fileOf(data);
        const got = await readAll(path, chunkBytes, maxLineBytes, batch);
        const want = referenceLines(data);
        expect(got.map((l) => l.line)).toEqual(want.map((_, i) => i + 1));
        const max = maxLineBytes ?? Infinity;
        got.forEach((l, i) => {
          const raw = want[i]!;
          const content = raw.at(-1) === 13 ? raw.subarray(0, -1) : raw;
          if (content.length > max) {
            expect(l.tooLong?.bytes).toBe(content.length);
            expect(l.text).toBe(content.subarray(0, Math.min(max, 1024)).toString('utf8'));
          } else {
            expect(l.tooLong).toBeUndefined();
            expect(l.text).toBe(content.toString('utf8'));
            expect(l.bytes).toEqual(isUtf8(content) ? undefined : content);
          }
        });
      }),
      { numRuns: 300, seed: 20_261_204 },
    );
  });

  it('resumed at any position it gave, gives the rest of an uninterrupted read', async () => {
    await fc.assert(
      fc.asyncProperty(arbBytes, fc.integer({ min: 1, max: 32 }), fc.nat(), async (data, chunkBytes, cut) => {
        const path = fileOf(data);
        const whole = await readAll(path, chunkBytes, 16, 100);
        const r = await LineReader.open(path, { chunkBytes, maxLineBytes: 16 });
        const first = await r.next(cut % (whole.length + 1));
        const at = r.position();
        await r.close();
        const rest = await (async () => {
          const reader = await LineReader.open(path, { from: at, chunkBytes: chunkBytes + 1, maxLineBytes: 16 });
          const got: NumberedLine[] = [];
          for (let done = false; !done; ) {
            const b = await reader.next(3);
            got.push(...b.lines);
            done = b.done;
          }
          await reader.close();
          return got;
        })();
        // A too-long line's offset is its start in the file either way.
        expect([...first.lines, ...rest]).toEqual(whole);
      }),
      { numRuns: 150, seed: 20_261_205 },
    );
  });
});

/** Line contents the format readers meet: records of each format, garbage, and the extreme cases. */
const DEEP = '['.repeat(100_000) + ']'.repeat(100_000);
const arbLine = fc.oneof(
  fc.constantFrom(
    '{"timestamp":"2021-06-06T15:59:46.457984+0200","event_type":"flow","flow_id":1}',
    '{"timestamp":"0099-06-06T15:59:46Z","event_type":"dns"}',
    '{"timestamp":"2021-06-06T15:59:46+25:00","event_type":"flow"}',
    '{"timestamp":"2021-06-06T15:59:46Z","event_type":"flow","n":18446744073709551615}',
    '{"ts":1655071209.5,"uid":"C","id.orig_p":70000}',
    '{"ts":1655071209.5,"uid":"C","id.orig_p":80}',
    '#separator \\x09',
    '#fields\tts\tuid\tid.orig_p',
    '#fields\tts\t__proto__\t__proto__',
    '#types\ttime\tstring\tport',
    '1655071209.5\tC1\t443',
    '1655071209.5\tC1\t99999',
    '',
    '   ',
    `{"x":${DEEP}}`,
    DEEP,
    'x'.repeat(200),
    '{"__proto__":{"a":1},"event_type":"flow","timestamp":"2021-06-06T15:59:46Z"}',
  ),
  fc.json(),
  fc.string({ maxLength: 40 }),
).map((s) => Buffer.from(s));
const arbDamaged = fc.oneof({ weight: 4, arbitrary: arbLine }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b)) });
const arbFile = fc
  .tuple(fc.array(fc.tuple(arbDamaged, fc.constantFrom('\n', '\r\n')), { maxLength: 25 }), fc.boolean())
  .map(([lines, lastEnd]) => Buffer.concat(lines.map(([l, end], i) => (i === lines.length - 1 && !lastEnd ? l : Buffer.concat([l, Buffer.from(end)])))));

const SOURCES = {
  // A timestamp function that throws on some values (user code failing on one record).
  ndjson: (path: string, stats: LineSourceStats, maxLineBytes: number | undefined) =>
    TextFile.ndjson(path, {
      stats,
      maxLineBytes,
      timestamp: (v) => {
        if (typeof v === 'string' && v.length % 3 === 0) throw new Error(`no time in ${v}`);
        return undefined;
      },
    }),
  suricata: (path: string, stats: LineSourceStats, maxLineBytes: number | undefined) => SuricataEve.read(path, { stats, maxLineBytes, eventTypes: ['flow'] }),
  zeek: (path: string, stats: LineSourceStats, maxLineBytes: number | undefined) => ZeekLog.conn(path, { stats, maxLineBytes }),
};

describe.each(Object.keys(SOURCES) as (keyof typeof SOURCES)[])('the %s source, fuzzed', (name) => {
  it('reads every line of a damaged file without throwing: each line is one element, skip or dead letter', async () => {
    await fc.assert(
      fc.asyncProperty(arbFile, fc.option(fc.integer({ min: 8, max: 120 }), { nil: undefined }), fc.integer({ min: 1, max: 7 }), async (data, maxLineBytes, poll) => {
        const path = fileOf(data);
        const stats = new LineSourceStats();
        const source = sourceOf(SOURCES[name](path, stats, maxLineBytes)) as Source<unknown>;
        const seen = await drain(await openSource(source), poll);
        const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
        expect(stats.lines).toBe(referenceLines(data).length);
        expect(stats.elements).toBe(seen.elements.length);
        expect(sum(stats.deadLettered)).toBe(seen.deadLetters.length);
        expect(stats.elements + sum(stats.skipped) + sum(stats.deadLettered)).toBe(stats.lines);
        for (const [, ts] of seen.elements) expect(Number.isSafeInteger(ts) || ts === Number.MIN_SAFE_INTEGER).toBe(true);
        for (const d of seen.deadLetters as { reason: string; origin: { file: string; line: number } }[]) {
          expect(d.reason).toMatch(/^[a-z0-9-]+$/);
          expect(d.origin.file).toBe(path);
        }
        // What is read can be written again (no value too deep for JSON.stringify).
        for (const [v] of seen.elements) expect(() => JSON.stringify(v)).not.toThrow();
      }),
      { numRuns: 120, seed: 20_261_206 },
    );
  });
});
