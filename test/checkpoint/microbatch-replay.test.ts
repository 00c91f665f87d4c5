import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCheckpointFile } from '../../runners/core/checkpoint/checkpoint-file.js';
import type { OffsetEntry } from '../../runners/core/checkpoint/offset-log.js';
import type { Source } from '../../sdk/io/source.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { CommittedStore } from '../../sdk/testing/committed-capture.js';
import { failpoints } from '../../sdk/testing/failpoints.js';
import { TIMESTAMP_MIN } from '../../sdk/time.js';
import { Generate } from '../../transforms/io/generate.js';
import { lineSource } from '../../transforms/io/text-file.js';
import { Read } from '../../transforms/read.js';
import { crashAt } from '../../capability-matrix/support/checkpoint-scenarios.js';
import { sourceOf } from '../support/source-reads.js';
import { TickingClock } from '../support/ticking-clock.js';
import { afterBatchZero, batching, crashAfterLoggingAll, entriesIn, generated, keyOf, onTime, ROWS, rowsOf, run, tmp, uninterrupted, type Input } from './replay-support.js';

/**
 * The micro-batch offset log (issue #13, design §e, step 8). A run logs each batch's input range
 * before the batch runs; a run that crashes after logging batches but before checkpointing them is
 * resumed, and the resumed run re-runs those batches with the logged boundaries (sources held with
 * `stopAt`), even when its own batching differs (here a larger `--maxBatchSize`). Early panes fire
 * once per batch, so the committed panes show the batch boundaries: they must equal those of an
 * uninterrupted run.
 */

afterEach(() => failpoints.reset());

function linesFile(): string {
  const path = join(tmp('lines'), 'keys.txt');
  writeFileSync(path, Array.from({ length: ROWS }, (_, i) => `${keyOf(i)}${'é'.repeat(i % 4)}`).join('\n') + '\n');
  return path;
}
const lines =
  (path: string): Input =>
  () =>
    Read(lineSource('Lines', path, (text, line) => ({ kind: 'element', value: text.replace(/é/g, ''), timestamp: line })));

describe.each([
  { label: 'Generate', input: () => generated },
  { label: 'a text file (lineSource)', input: () => lines(linesFile()) },
])('micro-batch replay of the offset log, reading $label', ({ input: make }) => {
  it('a crash after batches were logged but not checkpointed: the resumed run re-runs them with their logged boundaries and commits the panes of an uninterrupted run', async () => {
    const input = make();
    const expected = await uninterrupted(batching(30), input);
    expect(rowsOf(expected.result)).toEqual([
      [0, 30, false],
      [1, 30, false],
      [2, 30, false],
      [3, 10, false],
    ]);
    // With 50-row batches the panes differ: the test can tell the boundaries apart.
    expect((await uninterrupted(batching(50), input)).panes).not.toEqual(expected.panes);

    const dir = tmp('ck');
    const store = new CommittedStore<unknown>();
    await crashAfterLoggingAll(dir, input, store);
    // batch 0's entry goes with the checkpoint after it (nothing resumes before that checkpoint); the
    // checkpoint is written in the background and pruned at the first boundary after it is durable, so
    // when the write outlasts batches 1–3 the crash comes first and entry 0 is still there (not replayed)
    expect(afterBatchZero(entriesIn(dir)).map((e) => [e.batchId, e.rows])).toEqual([
      [1, 30],
      [2, 30],
      [3, 10],
    ]);
    const resumed = await run({ ...batching(50), checkpointDir: dir }, input, store);
    expect(resumed.checkpoints!.restoredFrom!.seq).toBe(1);
    expect(rowsOf(resumed)).toEqual([
      [1, 30, true],
      [2, 30, true],
      [3, 10, true],
    ]);
    expect(resumed.warnings).toEqual([]);
    expect(store.lines({ sorted: true })).toEqual(expected.panes);
    expect(store.prepared.size).toBe(0);
  });

  it('a crash before the first checkpoint: each entry logs where its batch began and ended, its processing time, rows and watermarks, and the resumed run replays them all from the start', async () => {
    const input = make();
    const expected = await uninterrupted(batching(30), input);
    const dir = tmp('ck');
    const store = new CommittedStore<unknown>();
    await crashAt({ name: 'offsets.written', at: 4 }, () => run({ ...batching(30), checkpointDir: dir }, input, store));
    const logged = entriesIn(dir);
    expect(logged.map((e) => [e.batchId, e.rows])).toEqual([
      [0, 30],
      [1, 30],
      [2, 30],
      [3, 10],
    ]);
    for (const e of logged) {
      expect(Object.keys(e.ranges)).toEqual(['In']);
      expect(e.processingTime).toBeGreaterThanOrEqual(e.startedAt);
    }
    expect(logged[0]!.ranges['In']!.from).toMatchObject(logged[0]!.ranges['In']!.from && 'i' in (logged[0]!.ranges['In']!.from as object) ? { i: 0, maxTs: TIMESTAMP_MIN } : { byte: 0, line: 0 });
    for (let k = 1; k < logged.length; k++) expect(logged[k]!.ranges['In']!.from).toEqual(logged[k - 1]!.ranges['In']!.to);
    expect(logged.map((e) => e.ranges['In']!.done)).toEqual([false, false, false, true]);
    // Event time i (Generate) or line number (file): the watermark is the newest event time so far.
    expect(logged.map((e) => e.watermarks['In'])).toEqual(logged[0]!.ranges['In']!.to && 'i' in (logged[0]!.ranges['In']!.to as object) ? [29, 59, 89, 2 ** 53 - 1] : [TIMESTAMP_MIN, TIMESTAMP_MIN, TIMESTAMP_MIN, 2 ** 53 - 1]);

    const resumed = await run({ ...batching(50), checkpointDir: dir }, input, store);
    expect(resumed.checkpoints!.restoredFrom).toBeUndefined();
    expect(rowsOf(resumed)).toEqual([
      [0, 30, true],
      [1, 30, true],
      [2, 30, true],
      [3, 10, true],
    ]);
    expect(store.lines({ sorted: true })).toEqual(expected.panes);
  });
});

describe('the offset log is kept only as far back as the oldest kept checkpoint', () => {
  it('entries at or before the oldest kept checkpoint’s batch are pruned', async () => {
    const dir = tmp('ck');
    const store = new CommittedStore<unknown>();
    const many = () => Generate.of({ count: 600, element: keyOf, timestamp: (i) => i });
    // a checkpoint at nearly every batch end (the clock ticks once per read)
    const result = await run({ ...batching(30), clock: new TickingClock(), checkpointDir: dir, checkpointInterval: 5, keepCheckpoints: 2 }, many, store);
    expect(result.batches!.length).toBe(20);
    expect(result.checkpoints!.taken.length).toBeGreaterThan(5);
    const kept = readdirSync(join(dir, 'checkpoints')).sort();
    expect(kept.length).toBe(2);
    const batchOf = (f: string) => readCheckpointFile(f, readFileSync(join(dir, 'checkpoints', f))).manifest.microbatch!.batchId;
    const oldestKept = batchOf(kept[0]!);
    const last = result.batches!.at(-1)!.batchId;
    expect(oldestKept).toBeGreaterThan(10);
    expect(entriesIn(dir).map((e) => e.batchId)).toEqual(Array.from({ length: last - oldestKept }, (_, k) => oldestKept + 1 + k));
  });
});

/** Generate's source with its reader's `stopAt` replaced (or removed, with undefined). */
function tampered(stopAt: ((inner: (p: unknown) => void, p: unknown) => void) | undefined): Input {
  const inner = sourceOf(generated()) as Source<string>;
  const source: Source<string> = {
    name: 'Tampered',
    bounded: true,
    async open(ctx) {
      const r = await inner.open(ctx);
      const { stopAt: own, ...rest } = r;
      return stopAt === undefined ? { ...rest, poll: r.poll.bind(r), position: r.position!.bind(r), close: r.close.bind(r) } : { ...rest, poll: r.poll.bind(r), stopAt: (p: unknown) => stopAt(own!.bind(r), p) };
    },
  };
  return () => Read(source);
}

describe('replay falls back to normal batching, with a warning, when it cannot reproduce the log', () => {
  const finalPanes = async () => onTime((await uninterrupted(batching(30), generated)).panes);

  it.each([
    { why: 'the source has no stopAt', input: tampered(undefined), warning: /source 'In' cannot be held at a position \(its reader has no stopAt\): the 3 batch\(es\) logged after batch 0 run with new boundaries/ },
    {
      why: 'the source reads past its logged position',
      input: tampered((own, p) => own(p === undefined ? undefined : { ...(p as { i: number; maxTs: number }), i: (p as { i: number }).i + 5 })),
      // 7-row polls from 30 never land on 60: the source passes its logged end unseen
      warning: /batch 1 took 35 rows, more than the 30 it logged, without reaching its logged positions/,
    },
    {
      why: 'the source stops short of its logged position',
      input: tampered((own, p) => own(p === undefined ? undefined : { ...(p as { i: number; maxTs: number }), i: (p as { i: number }).i - 5 })),
      warning: /source 'In' did not reach its logged position in batch 1/,
    },
  ])('$why', async ({ input, warning }) => {
    const dir = tmp('ck');
    const store = new CommittedStore<unknown>();
    await crashAfterLoggingAll(dir, input, store);
    // 7-row polls: the source buffer (--bufferSize, which bounds micro-batch read-ahead too) holds two
    // polls, so no poll is cut short to fit it
    const resumed = await run({ ...batching(50), bundleSize: 7, bufferSize: 14, checkpointDir: dir }, input, store);
    expect(resumed.warnings!.join('\n')).toMatch(warning);
    expect(resumed.batches!.every((b) => b.replayed !== true)).toBe(true);
    expect(resumed.batches!.reduce((n, b) => n + b.inputRows, 0)).toBe(ROWS - 30);
    // exactly-once all the same: each key's final count once
    expect(onTime(store.lines({ sorted: true }))).toEqual(await finalPanes());
  });

  it('entries that do not continue from the restored checkpoint (another attempt’s) are not replayed and are dropped', async () => {
    const dir = tmp('ck');
    const store = new CommittedStore<unknown>();
    await crashAfterLoggingAll(dir, generated, store);
    const b1 = join(dir, 'offsets', 'b-000000000001');
    const e = JSON.parse(readFileSync(b1, 'utf8')) as OffsetEntry;
    writeFileSync(b1, JSON.stringify({ ...e, ranges: { In: { ...e.ranges['In']!, from: { i: 20, maxTs: 19 } } } }));
    const resumed = await run({ ...batching(50), checkpointDir: dir }, generated, store);
    expect(resumed.warnings!.join('\n')).toMatch(/offset log: offsets\/b-000000000001 does not continue from where source 'In' stands \(it was logged by another attempt\); batches from 1 on are not replayed/);
    expect(rowsOf(resumed)).toEqual([
      [1, 50, false],
      [2, 20, false],
    ]);
    // batch 3 of the other attempt is gone; 1 and 2 are this run's
    expect(entriesIn(dir).map((x) => [x.batchId, x.rows])).toEqual([
      [1, 50],
      [2, 20],
    ]);
    expect(onTime(store.lines({ sorted: true }))).toEqual(await finalPanes());
  });
});

describe('across runners', () => {
  const native: Partial<PipelineOptions> = { runner: 'native', bundleSize: 10, bufferSize: 10 };
  const finalPanes = async () => onTime((await uninterrupted(batching(30), generated)).panes);

  it('native resumes a micro-batch checkpoint and ignores its offset log', async () => {
    const dir = tmp('ck');
    const store = new CommittedStore<unknown>();
    await crashAfterLoggingAll(dir, generated, store);
    const resumed = await run({ ...native, checkpointDir: dir }, generated, store);
    expect(resumed.checkpoints!.restoredFrom!.takenBy).toBe('microbatch');
    expect(resumed.batches ?? []).toEqual([]);
    expect(onTime(store.lines({ sorted: true }))).toEqual(await finalPanes());
  });

  it('a native checkpoint resumed on micro-batch starts at batch 0, or after the batch it carries from an earlier micro-batch checkpoint', async () => {
    // a job that only ran native: batch 0
    const fresh = tmp('ck');
    const s1 = new CommittedStore<unknown>();
    await crashAt({ name: 'checkpoint.barrier', at: 2 }, () => run({ ...native, checkpointDir: fresh }, generated, s1, true));
    const fromNative = await run({ ...batching(50), checkpointDir: fresh }, generated, s1);
    expect(fromNative.checkpoints!.restoredFrom!.takenBy).toBe('native');
    expect(fromNative.batches![0]!.batchId).toBe(0);
    expect(onTime(s1.lines({ sorted: true }))).toEqual(await finalPanes());

    // micro-batch (checkpoint after batch 0, batches 1–3 logged) → native (checkpoint, crash) → micro-batch: batch 1 next
    const dir = tmp('ck');
    const s2 = new CommittedStore<unknown>();
    await crashAfterLoggingAll(dir, generated, s2);
    // native checkpoints a few source batches in (the clock ticks once per read), then crashes
    await crashAt({ name: 'checkpoint.barrier', at: 2 }, () => run({ ...native, clock: new TickingClock(), checkpointDir: dir, checkpointInterval: 8 }, generated, s2));
    const back = await run({ ...batching(50), checkpointDir: dir }, generated, s2);
    expect(back.checkpoints!.restoredFrom).toMatchObject({ takenBy: 'native', seq: 2 });
    expect(back.batches![0]!.batchId).toBe(1);
    const nativeAt = readCheckpointFile('ck2', readFileSync(join(dir, 'checkpoints', 'ck-000000000002'))).manifest.steps['In']!.source!.position as { i: number };
    expect(nativeAt.i, 'native checkpointed after reading on').toBeGreaterThan(30);
    // the entries micro-batch logged before native went on do not continue from native's checkpoint
    expect(back.batches!.every((b) => b.replayed !== true)).toBe(true);
    expect(back.warnings!.join('\n')).toMatch(/offsets\/b-000000000001 does not continue from where source 'In' stands/);
    expect(onTime(s2.lines({ sorted: true }))).toEqual(await finalPanes());
  });
});
