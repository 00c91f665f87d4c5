import { describe, expect, it } from 'vitest';
import type { RunOutcome } from '../../sdk/dofn.js';
import { Create } from '../../transforms/create.js';
import { ParDo } from '../../transforms/par-do.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/** A pass-through DoFn recording the outcome its teardown is told; `onElement` may throw or cancel. */
function recorder(outcomes: RunOutcome[], onElement: (v: number) => void = () => {}) {
  return ParDo<number, number>({
    process(v, ctx) {
      onElement(v);
      ctx.output(v);
    },
    teardown: ({ outcome }) => void outcomes.push(outcome),
  });
}

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('teardown is told how the run ended on $label', ({ options }) => {
  const values = Array.from({ length: 500 }, (_, i) => i);

  it("'done' to every step of a run that finished", async () => {
    const outcomes: RunOutcome[] = [];
    const { result } = await runWith(options, (p) => p.apply(Create(values)).apply('A', recorder(outcomes)).apply('B', recorder(outcomes)));
    expect(result.state).toBe('DONE');
    expect(outcomes).toEqual(['done', 'done']);
  });

  it("'failed' to every step, upstream and downstream of the one that failed", async () => {
    const outcomes: RunOutcome[] = [];
    const run = runWith(options, (p) =>
      p
        .apply(Create(values))
        .apply('A', recorder(outcomes))
        .apply('Fails', recorder(outcomes, (v) => {
          if (v === 300) throw new Error('no 300');
        }))
        .apply('C', recorder(outcomes)),
    );
    await expect(run).rejects.toThrow(/no 300/);
    expect(outcomes).toEqual(['failed', 'failed', 'failed']);
  });

  it("'cancelled' when the run was cancelled", async () => {
    const outcomes: RunOutcome[] = [];
    const controller = new AbortController();
    const { result } = await runWith({ ...options, signal: controller.signal }, (p) =>
      p.apply(Create(values)).apply('A', recorder(outcomes, (v) => {
        if (v === 100) controller.abort();
      })),
    );
    expect(result.state).toBe('CANCELLED');
    expect(outcomes).toEqual(['cancelled']);
  });
});
