import { describe, expect, it } from 'vitest';
import { CommittedCapture, CommittedStore } from '../../sdk/testing/committed-capture.js';
import { Create } from '../../transforms/create.js';
import { RUNNERS, runWith } from '../support/runners.js';

/**
 * CommittedCapture publishing more records at once than a function call takes arguments. Before, it
 * appended them with `store.records.push(...records)`: a run writing 200,000 records failed at its end
 * with "RangeError: Maximum call stack size exceeded", and the store kept none of them.
 */
describe.each(RUNNERS)('CommittedCapture with a very large commit on $label', ({ options }) => {
  it('commits all 200,000 records of a run', async () => {
    const store = new CommittedStore<number>();
    const n = 200_000;
    await runWith(options, (p) => p.apply(Create(Array.from({ length: n }, (_, i) => i))).apply('Out', CommittedCapture.records(store)));
    expect(store.records.length).toBe(n);
    expect(store.records[n - 1]!.value).toBe(n - 1);
  }, 60_000);
});
