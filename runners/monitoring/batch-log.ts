import type { RunObserver, RunSample } from '../../sdk/run-observer.js';
import { formatInstant } from '../../sdk/time.js';

/**
 * With `--progress` on a stderr that is not a terminal: one line per micro-batch, as the batches
 * reach the observer (at each sample), e.g.
 * `[microbatch] batch 7: 1000 rows in 12 ms, watermark 2024-01-01T00:00:03.000Z (replayed from the offset log)`.
 * Batches replayed from the offset log after a restart are marked, so a log shows where a resumed
 * run re-ran the crashed attempt's batches. Native runs have no batches and print nothing here.
 * @example new BatchLog((line) => process.stderr.write(line))
 */
export class BatchLog implements RunObserver {
  constructor(private readonly write: (text: string) => void) {}

  sample(s: RunSample): void {
    for (const b of s.batches) {
      this.write(`[microbatch] batch ${b.batchId}: ${b.inputRows} rows in ${b.durationMs} ms, watermark ${formatInstant(b.watermark)}${b.replayed ? ' (replayed from the offset log)' : ''}\n`);
    }
  }
}
