import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../runners/core/checkpoint/file-checkpoint-store.js';
import { OffsetLog, type OffsetEntryDraft } from '../../runners/core/checkpoint/offset-log.js';
import { CheckpointWriteError } from '../../sdk/errors.js';
import { failpoints, SimulatedCrash } from '../../sdk/testing/failpoints.js';
import type { CheckpointStore } from '../../runners/core/checkpoint/checkpoint-store.js';

/** The micro-batch offset log on the file store (design §e): one durable JSON entry per batch. */

async function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'watershed-offsets-'));
  const store = await FileCheckpointStore.open(dir, { runId: 'run-1' });
  return { dir, log: new OffsetLog(store) };
}

const entry = (batchId: number, from = batchId * 10, to = from + 10): OffsetEntryDraft => ({
  batchId,
  startedAt: 1000 + batchId,
  processingTime: 1500 + batchId,
  rows: to - from,
  ranges: { Read: { from: { i: from, maxTs: from - 1 }, to: { i: to, maxTs: to - 1 }, done: false } },
  watermarks: { Read: to - 1 },
});

describe('OffsetLog', () => {
  it('writes an entry per batch under offsets/b-<12 digits>, durably replacing a stale one, and reads them back in order', async () => {
    const { dir, log } = await fresh();
    for (const id of [2, 0, 1]) await log.write(entry(id));
    await log.write(entry(1, 10, 25)); // batch 1 logged again by a later attempt
    expect(readdirSync(join(dir, 'offsets'))).toEqual(['b-000000000000', 'b-000000000001', 'b-000000000002']);
    expect(JSON.parse(readFileSync(join(dir, 'offsets', 'b-000000000001'), 'utf8'))).toEqual({ format: 'watershed-offsets', version: 1, ...entry(1, 10, 25) });
    const { entries, defect } = await log.entriesAfter(-1);
    expect(defect).toBeUndefined();
    expect(entries.map((e) => [e.batchId, e.rows])).toEqual([
      [0, 10],
      [1, 15],
      [2, 10],
    ]);
    expect((await log.entriesAfter(1)).entries.map((e) => e.batchId)).toEqual([2]);
    expect((await log.entriesAfter(2)).entries).toEqual([]);
  });

  it('stops at a gap or an unusable entry and names it', async () => {
    const { dir, log } = await fresh();
    for (const id of [3, 4, 6]) await log.write(entry(id));
    expect(await log.entriesAfter(2)).toMatchObject({ entries: [{ batchId: 3 }, { batchId: 4 }], defect: expect.stringMatching(/b-000000000006 follows batch 4 \(batch 5 has no entry\)/) });
    writeFileSync(join(dir, 'offsets', 'b-000000000004'), '{"format":"watershed-offsets","version":1,"batchId":4');
    expect(await log.entriesAfter(2)).toMatchObject({ entries: [{ batchId: 3 }], defect: expect.stringMatching(/b-000000000004 is not JSON/) });
    writeFileSync(join(dir, 'offsets', 'b-000000000004'), JSON.stringify({ ...entry(4), format: 'watershed-offsets', version: 1, rows: -1 }));
    expect((await log.entriesAfter(2)).defect).toMatch(/b-000000000004 is malformed: rows is not a non-negative integer/);
    writeFileSync(join(dir, 'offsets', 'b-000000000004'), JSON.stringify({ ...entry(5), format: 'watershed-offsets', version: 1 }));
    expect((await log.entriesAfter(2)).defect).toMatch(/b-000000000004 says batch 5/);
  });

  it('prunes through a batch and deletes after one', async () => {
    const { log } = await fresh();
    for (let id = 0; id < 6; id++) await log.write(entry(id));
    expect(await log.pruneThrough(2)).toEqual(['offsets/b-000000000000', 'offsets/b-000000000001', 'offsets/b-000000000002']);
    expect(await log.deleteAfter(4)).toEqual(['offsets/b-000000000005']);
    expect(await log.batchIds()).toEqual([3, 4]);
  });

  it('refuses an entry JSON cannot hold exactly, and wraps a store failure in CheckpointWriteError', async () => {
    const { log } = await fresh();
    await expect(log.write({ ...entry(0), watermarks: { Read: Number.POSITIVE_INFINITY } })).rejects.toThrow(/offset entry offsets\/b-000000000000: the watermark of step "Read" is not a finite number/);
    const failing: CheckpointStore = { location: '/nowhere', put: () => Promise.reject(new Error('disk full')), get: async () => undefined, list: async () => [], delete: async () => {} };
    const e = await new OffsetLog(failing).write(entry(0)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CheckpointWriteError);
    expect((e as Error).message).toMatch(/offsets\/b-000000000000 to \/nowhere: disk full/);
  });

  it('failpoint offsets.written fires once the entry is durable', async () => {
    const { log } = await fresh();
    failpoints.arm('offsets.written', { at: 2 });
    try {
      await log.write(entry(0));
      await expect(log.write(entry(1))).rejects.toThrow(SimulatedCrash);
    } finally {
      failpoints.reset();
    }
    expect(await log.batchIds()).toEqual([0, 1]);
  });
});
