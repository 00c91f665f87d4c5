import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../runners/index.js';
import type { OffsetEntry } from '../../runners/core/checkpoint/offset-log.js';
import type { PipelineOptions } from '../../sdk/options.js';
import type { PCollection } from '../../sdk/pcollection.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PTransform } from '../../sdk/ptransform.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { CommittedCapture, CommittedStore } from '../../sdk/testing/committed-capture.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Generate } from '../../transforms/io/generate.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { crashAt } from '../../capability-matrix/support/checkpoint-scenarios.js';

/**
 * Shared by the micro-batch replay tests (microbatch-replay*.test.ts): a per-key count whose early
 * panes fire at every batch end, so the committed panes show the batch boundaries.
 */

export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `watershed-${prefix}-`));
export const ROWS = 100;
export const keyOf = (i: number) => `k${i % 3}`;

/** 10-row polls; batches of `maxBatchSize` rows (no time limit within the test). */
export const batching = (maxBatchSize: number): Partial<PipelineOptions> => ({
  runner: 'microbatch',
  batchInterval: 3_600_000,
  bundleSize: 10,
  bufferSize: 10,
  maxBatchSize,
});

export type Input = () => PTransform<Pipeline, PCollection<string>>;

export const generated: Input = () => Generate.of({ count: ROWS, element: keyOf, timestamp: (i) => i });

/** A per-key count in one long window, with an early pane at every batch end that has new input. */
export function countPanes(p: Pipeline, input: Input, store: CommittedStore<unknown>): void {
  p.apply('In', input())
    .apply('Window', Window.into<string>(FixedWindows(1_000_000)).triggering(AfterWatermark().withEarlyFirings(AfterCount(1))).accumulatingFiredPanes())
    .apply('Keyed', WithKeys((s: string) => s))
    .apply('Count', Count.perKey<string>())
    .apply('Out', CommittedCapture.records(store as CommittedStore<never>));
}

/** Runs the count; with `checkpointFirst`, asks for a checkpoint at the first batch end. */
export async function run(options: Partial<PipelineOptions>, input: Input, store: CommittedStore<unknown>, checkpointFirst = false): Promise<PipelineResult> {
  const p = Pipeline.create({ ...(options.checkpointDir !== undefined ? { checkpointInterval: 3_600_000 } : {}), ...options });
  countPanes(p, input, store);
  const r = p.start();
  if (checkpointFirst) r.checkpoint!();
  return r.done;
}

/** The committed panes of an uninterrupted run without checkpoints. */
export async function uninterrupted(options: Partial<PipelineOptions>, input: Input): Promise<{ panes: string[]; result: PipelineResult }> {
  const store = new CommittedStore<unknown>();
  const result = await run(options, input, store);
  return { panes: store.lines({ sorted: true }), result };
}

/**
 * A run of 30-row batches checkpointed after batch 0, crashed once the offset entry of its batch
 * `last` (default 3, the last of 100 rows) is durable: batches 1 to `last` are logged and not checkpointed.
 */
export async function crashAfterLoggingAll(dir: string, input: Input, store: CommittedStore<unknown>, last = 3): Promise<void> {
  await crashAt({ name: 'offsets.written', at: last + 1 }, () => run({ ...batching(30), checkpointDir: dir }, input, store, true));
}

/**
 * The entries after batch 0's: batch 0's entry is pruned when the checkpoint after it commits, at the first
 * batch boundary after its background write is durable, so a crash soon after may or may not find it.
 */
export const afterBatchZero = (entries: OffsetEntry[]): OffsetEntry[] => entries.filter((e) => e.batchId !== 0);
export const rowsOf = (r: PipelineResult) => r.batches!.map((b) => [b.batchId, b.inputRows, b.replayed === true]);
export const entriesIn = (dir: string): OffsetEntry[] =>
  readdirSync(join(dir, 'offsets'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, 'offsets', f), 'utf8')) as OffsetEntry);
/** The on-time (final) pane of each key without its index (which counts the early panes before it): `k0=34`. */
export const onTime = (panes: string[]) =>
  panes
    .filter((l) => / ON_TIME /.test(l))
    .map((l) => {
      const { key, value } = JSON.parse(l.slice(l.indexOf('{'))) as { key: string; value: number };
      return `${key}=${value}${/ last /.test(l) ? ' last' : ''}`;
    })
    .sort();
