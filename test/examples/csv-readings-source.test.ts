/**
 * The custom Source of the examples (pipelines/examples/csv-readings-source.ts) keeps the SourceReader
 * contract its comments teach: positions cover exactly what was handed out, a reader opened from one
 * goes on right after it, stopAt holds the read at a position, and a foreign position is refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SourcePositionError, TIMESTAMP_MIN, type SourceBatch, type SourceReader } from 'watershed/sdk';
import { VirtualClock } from 'watershed/testing';
import { CsvReadings, type Reading } from '../../pipelines/examples/csv-readings-source.js';

const FILE = fileURLToPath(new URL('../../pipelines/examples/data/readings.csv', import.meta.url));
const source = new CsvReadings(FILE, 5 * 60_000);
const open = (resumeFrom?: unknown): Promise<SourceReader<Reading>> =>
  source.open({ step: 'Readings', clock: new VirtualClock(0), signal: new AbortController().signal, ...(resumeFrom === undefined ? {} : { resumeFrom }) });

/** What a batch handed out: each reading as `sensor@time=celsius`, each dead letter as `line <n>`. */
const shown = (b: SourceBatch<Reading>): string[] => [
  ...b.elements.map((e) => `${e.value.sensor}@${new Date(e.timestamp).toISOString().slice(11, 16)}=${e.value.celsius}`),
  ...(b.deadLetters ?? []).map((d) => `line ${d.origin?.line}`),
];

async function readAll(reader: SourceReader<Reading>, max: number): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const b = await reader.poll(max, 0);
    out.push(...shown(b));
    if (b.done) return out;
  }
}

describe('the examples’ CSV source', () => {
  it('reads every line once: readings with their event times, unreadable lines as dead letters with their line number', async () => {
    const all = await readAll(await open(), 100);
    expect(all).toEqual([
      'kitchen@09:01=20.5', 'garage@09:02=4', 'kitchen@09:07=21', 'garage@09:12=4.5', 'kitchen@09:05=20', 'kitchen@09:18=22',
      'kitchen@09:31=22.5', 'garage@09:33=5', 'line 7', 'line 9',
    ]);
  });

  it('watermark: the newest event time minus the allowed disorder, never moved by an unreadable line', async () => {
    const reader = await open();
    expect((await reader.poll(0, 0)).watermark).toBe(TIMESTAMP_MIN);
    const first = await reader.poll(4, 0); // up to 09:12
    expect(first.watermark).toBe(Date.parse('2026-01-01T09:07:00Z'));
    const next = await reader.poll(4, 0); // 09:05, the 'warm' line, 09:18, the 'yesterday' line
    expect(next.watermark).toBe(Date.parse('2026-01-01T09:13:00Z'));
  });

  it('a reader opened from a position goes on right after it: nothing again, nothing skipped', async () => {
    const whole = await readAll(await open(), 100);
    for (const cut of [1, 3, 6]) {
      const reader = await open();
      const before = shown(await reader.poll(cut, 0));
      const position = reader.position!();
      await reader.poll(2, 0); // read ahead of the position: not covered by it
      const after = await readAll(await open(JSON.parse(JSON.stringify(position))), 100);
      expect([...before, ...after].sort()).toEqual([...whole].sort());
    }
  });

  it('stopAt holds the read at a position until lifted', async () => {
    const first = await open();
    await first.poll(3, 0);
    const stop = first.position!();
    const reader = await open();
    reader.stopAt!(stop);
    expect(shown(await reader.poll(100, 0))).toEqual(['kitchen@09:01=20.5', 'garage@09:02=4', 'kitchen@09:07=21']);
    const held = await reader.poll(100, 0);
    expect([shown(held), held.done]).toEqual([[], false]);
    reader.stopAt!(undefined);
    expect((await readAll(reader, 100)).length).toBe(7);
  });

  it('refuses a position that is not its own', async () => {
    await expect(open({ offset: 12 })).rejects.toBeInstanceOf(SourcePositionError);
    await expect(open({ line: 1_000, maxTs: 0 })).rejects.toThrow(/truncated/);
  });
});

describe('the examples’ CSV source on damaged files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csv-readings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  /** Every reading (`sensor@ISO time=celsius`) and dead letter (`line <n> <reason>: <element>`) of `content`, and the last watermark. */
  async function readFileOf(content: Buffer | string): Promise<{ out: string[]; watermark: number }> {
    const path = join(dir, `r${n++}.csv`);
    writeFileSync(path, content);
    const reader = await new CsvReadings(path, 0).open({ step: 'Readings', clock: new VirtualClock(0), signal: new AbortController().signal });
    const out: string[] = [];
    for (;;) {
      const b = await reader.poll(100, 0);
      out.push(...b.elements.map((e) => `${e.value.sensor}@${new Date(e.timestamp).toISOString()}=${e.value.celsius}`));
      out.push(...(b.deadLetters ?? []).map((d) => `line ${d.origin?.line} ${d.reason}: ${String(d.element)}`));
      if (b.done) return { out, watermark: b.watermark };
    }
  }
  const H = 'sensor,time,celsius\n';

  it('a line that is not valid UTF-8 is a dead letter with its exact bytes, never a sensor with U+FFFD (two sensors made one)', async () => {
    const a = Buffer.from([0x61, 0xff]);
    const b = Buffer.from([0x61, 0xfe]);
    const { out } = await readFileOf(Buffer.concat([Buffer.from(H), a, Buffer.from(',2026-01-01T09:01:00Z,1\n'), b, Buffer.from(',2026-01-01T09:01:00Z,2\n')]));
    expect(out.map((l) => l.split(':')[0])).toEqual(['line 2 invalid-utf8', 'line 3 invalid-utf8']);
    expect(out.map((l) => Buffer.from(l.split(': ')[1]!, 'base64'))).toEqual([
      Buffer.concat([a, Buffer.from(',2026-01-01T09:01:00Z,1')]),
      Buffer.concat([b, Buffer.from(',2026-01-01T09:01:00Z,2')]),
    ]);
  });

  it('a first line that is not the header is a dead letter, not skipped: a file without a header, or with only \\r line ends, loses nothing', async () => {
    expect((await readFileOf('a,2026-01-01T09:01:00Z,1\nb,2026-01-01T09:02:00Z,2\n')).out).toEqual([
      'b@2026-01-01T09:02:00.000Z=2',
      'line 1 missing-header: a,2026-01-01T09:01:00Z,1',
    ]);
    const cr = 'sensor,time,celsius\ra,2026-01-01T09:01:00Z,1\rb,2026-01-01T09:02:00Z,2\r';
    expect((await readFileOf(cr)).out).toEqual([`line 1 missing-header: ${cr.slice(0, -1)}`]); // (a last \r is a line end)
    // A BOM and \r\n line ends are a header as any other.
    expect((await readFileOf('\ufeffsensor,time,celsius\r\na,2026-01-01T09:01:00Z,1\r\n')).out).toEqual(['a@2026-01-01T09:01:00.000Z=1']);
  });

  it('a time Date.parse would guess at (no zone, a bare number, Feb 30) and a temperature in hex are dead letters, never readings at another time or value', async () => {
    const bad = ['a,1,1', 'b,2026-01-01 09:01,2', 'c,Jan 5,3', 'd,2026-02-30T09:00:00Z,4', 'e,9999,5', 'f,2026-01-01T09:01:00Z,0x10', 'g,2026-01-01T24:00:00Z,7', 'h,2026-01-01T09:01:00+25:00,8'];
    const good = ['i,2024-02-29T09:01:00Z,-0.5', 'j,2026-01-01T10:01:00.250+01:00,1e1'];
    const { out } = await readFileOf(H + [...bad, ...good].join('\n') + '\n');
    expect(out).toEqual([
      'i@2024-02-29T09:01:00.000Z=-0.5',
      'j@2026-01-01T09:01:00.250Z=10',
      ...bad.map((l, i) => `line ${i + 2} malformed-reading: ${l}`),
    ]);
  });

  it('one reading dated years ahead does not move the watermark (nothing after it late); a second one confirms the jump', async () => {
    const lines = ['a,2026-01-01T09:01:00Z,1', 'b,2026-01-01T09:02:00Z,1', 'c,9999-01-01T00:00:00Z,1', 'd,2026-01-01T09:03:00Z,1'];
    expect((await readFileOf(H + lines.join('\n'))).watermark).toBe(Date.parse('2026-01-01T09:03:00Z'));
    expect((await readFileOf(H + [...lines, 'e,9999-01-01T00:30:00Z,1'].join('\n'))).watermark).toBe(Date.parse('9999-01-01T00:30:00Z'));
  });

  it('a position taken while a reading is held as a jump resumes with it held', async () => {
    const path = join(dir, 'held.csv');
    writeFileSync(path, H + ['a,2026-01-01T09:01:00Z,1', 'b,2026-01-01T09:02:00Z,1', 'c,9999-01-01T00:00:00Z,1', 'd,2026-01-01T09:03:00Z,1'].join('\n'));
    const ctx = { step: 'Readings', clock: new VirtualClock(0), signal: new AbortController().signal };
    const first = await new CsvReadings(path, 0).open(ctx);
    await first.poll(4, 0);
    const position = JSON.parse(JSON.stringify(first.position!()));
    const resumed = await new CsvReadings(path, 0).open({ ...ctx, resumeFrom: position });
    expect((await resumed.poll(100, 0)).watermark).toBe(Date.parse('2026-01-01T09:03:00Z'));
  });
});
