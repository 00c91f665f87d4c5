import { describe, expect, it } from 'vitest';
import type { SourceBatch } from '../../sdk/io/source.js';
import { TIMESTAMP_MIN } from '../../sdk/time.js';
import { ParDo } from '../../transforms/par-do.js';
import { Read } from '../../transforms/read.js';
import { runWith } from '../support/runners.js';

/**
 * A fast source feeding a slow (async) step: the runner must not read ahead of the pipeline by more
 * than its buffer (--bufferSize on both runners; micro-batch gathers a larger batch as the buffer
 * refills). The source counts what it handed out that the slow step has not finished yet; the step
 * records what it saw, in order.
 */
function pipelineWithSlowStep(total: number) {
  let produced = 0;
  let consumed = 0;
  let maxInFlight = 0;
  const seen: number[] = [];
  const source = Read<number>({
    name: 'fast',
    bounded: true,
    async open() {
      return {
        async poll(max): Promise<SourceBatch<number>> {
          const n = Math.min(max, total - produced);
          const elements = Array.from({ length: n }, (_, i) => ({ value: produced + i, timestamp: TIMESTAMP_MIN }));
          produced += n;
          maxInFlight = Math.max(maxInFlight, produced - consumed);
          return { elements, watermark: TIMESTAMP_MIN, done: produced >= total };
        },
        async close() {},
      };
    },
  });
  const slow = ParDo<number, never>({
    async process(x) {
      await new Promise((r) => setImmediate(r));
      seen.push(x);
      consumed++;
    },
  });
  return { source, slow, stats: () => ({ produced, consumed, maxInFlight, seen }) };
}

describe('backpressure', () => {
  it('native: a fast source stays within --bufferSize of a slow step', async () => {
    const { source, slow, stats } = pipelineWithSlowStep(3000);
    await runWith({ runner: 'native', bufferSize: 100, bundleSize: 10 }, (p) => p.apply('Fast', source).apply('Slow', slow));
    expect(stats().consumed).toBe(3000);
    // the buffer plus the bundle being processed
    expect(stats().maxInFlight).toBeLessThanOrEqual(100 + 10);
  });

  it('micro-batch: a fast source stays within one batch of a slow step', async () => {
    const { source, slow, stats } = pipelineWithSlowStep(3000);
    await runWith({ runner: 'microbatch', batchInterval: 'asap', bufferSize: 100, maxBatchSize: 200, bundleSize: 10 }, (p) => p.apply('Fast', source).apply('Slow', slow));
    expect(stats().consumed).toBe(3000);
    expect(stats().maxInFlight).toBeLessThanOrEqual(2 * 200);
  });

  it('micro-batch: a source reads ahead at most --bufferSize, and a backlog still fills each batch to --maxBatchSize, every element in order', async () => {
    const { source, slow, stats } = pipelineWithSlowStep(5000);
    const { result } = await runWith({ runner: 'microbatch', batchInterval: 'asap', bufferSize: 100, maxBatchSize: 1000, bundleSize: 10 }, (p) => p.apply('Fast', source).apply('Slow', slow));
    expect(stats().seen).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    // the buffer plus the poll being handed over, not a batch
    expect(stats().maxInFlight).toBeLessThanOrEqual(100 + 10);
    const rows = result.batches!.map((b) => b.inputRows);
    expect(rows.reduce((a, b) => a + b, 0)).toBe(5000);
    // the source is always ahead of the pipeline: every batch but the first and the last is full
    expect(rows.slice(1, -1).every((n) => n === 1000)).toBe(true);
    expect(rows.length).toBeLessThanOrEqual(7);
  });

  it('the check can fail: an unbounded buffer would read everything ahead', async () => {
    const { source, slow, stats } = pipelineWithSlowStep(3000);
    await runWith({ runner: 'native', bufferSize: 100_000, bundleSize: 1000 }, (p) => p.apply('Fast', source).apply('Slow', slow));
    expect(stats().maxInFlight).toBeGreaterThan(110);
  });
});
