import { describe, expect, it } from 'vitest';
import '../runners/index.js';
import { DRAIN } from './cases/drain.js';
import { runCase } from './harness.js';

/**
 * The Drain row on both runners: its verdict comes from running its cases (cases/drain.ts), each of
 * which stops its own run from inside the pipeline. The self-test (self-test.test.ts) shows the row
 * can fail: a runner that cannot stop, or one that stops where it was asked to drain.
 */

describe.each(['native', 'microbatch'])('the Drain row on %s', (runner) => {
  it('every case passes', async () => {
    const results = [];
    for (const c of DRAIN.cases) results.push(await runCase(runner, c));
    expect(results.filter((r) => r.status !== 'pass').map((r) => `${r.name}: ${r.reason}`)).toEqual([]);
    expect(results).toHaveLength(5);
  }, 60_000);
});
