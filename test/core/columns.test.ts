import { describe, expect, it } from 'vitest';
import { CHUNK_SIZE, ColumnChunk, Columns } from '../../runners/core/columns.js';
import { NO_FIRING } from '../../sdk/pane.js';
import { GLOBAL_WINDOW } from '../../sdk/window.js';

const rows = (chunks: readonly ColumnChunk[]): number[] => chunks.flatMap((c) => Array.from({ length: c.length }, (_, i) => c.values[i] as number));

describe('Columns (micro-batch column batches)', () => {
  it('keeps every pushed element, in order, by chunks of CHUNK_SIZE', () => {
    const cols = new Columns();
    const n = CHUNK_SIZE * 2 + 5;
    for (let i = 0; i < n; i++) cols.push(i, i * 10, GLOBAL_WINDOW, NO_FIRING, i === 3);
    expect(cols.length).toBe(n);
    const chunks = cols.take();
    expect(chunks.map((c) => c.length)).toEqual([CHUNK_SIZE, CHUNK_SIZE, 5]);
    expect(rows(chunks)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(chunks[0]!.timestamps[7]).toBe(70);
    expect(chunks[0]!.retractions?.[3]).toBe(1);
    expect(chunks[1]!.retractions).toBeUndefined();
    expect(cols.length).toBe(0);
    expect(cols.take()).toEqual([]);
  });

  it('a recycled chunk is emptied, drops its values and is refilled by later pushes', () => {
    const cols = new Columns();
    for (let i = 0; i < 3; i++) cols.push({ big: i }, i, GLOBAL_WINDOW, NO_FIRING, true);
    const [c] = cols.take();
    cols.recycle(c!);
    expect(c!.length).toBe(0);
    expect(c!.values[0]).toBeUndefined();
    expect(c!.retractions).toBeUndefined();
    cols.push(42, 1, GLOBAL_WINDOW, NO_FIRING, false);
    const [again] = cols.take();
    expect(again).toBe(c);
    expect(rows([again!])).toEqual([42]);
  });

  it('with onFull, hands over each chunk as soon as it is full and keeps only the rest', () => {
    const seen: number[][] = [];
    const cols = new Columns((c) => seen.push(rows([c])));
    const n = CHUNK_SIZE * 3 + 2;
    for (let i = 0; i < n; i++) cols.push(i, i, GLOBAL_WINDOW, NO_FIRING, false);
    expect(seen.map((r) => r.length)).toEqual([CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE]);
    expect(cols.length).toBe(2);
    expect([...seen.flat(), ...rows(cols.take())]).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});
