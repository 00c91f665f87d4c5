/**
 * The custom Source of the examples (pipelines/examples/csv-readings-source.ts) keeps the SourceReader
 * contract its comments teach: positions cover exactly what was handed out, a reader opened from one
 * goes on right after it, stopAt holds the read at a position, and a foreign position is refused.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
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
