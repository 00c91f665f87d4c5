import { describe, expect, it } from 'vitest';
import { MERGING_STATE_SCENARIOS, MERGING_TIMER_SCENARIOS, outputLines } from '../../capability-matrix/support/state-scenarios.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Stateful DoFns after merging windows (issue #15): the step merges each key's sessions itself, and
 * their state (bag, combining, set, map, value) and timers with them. The scenarios are shared with the
 * capability matrix's Stateful Processing and Timers rows (capability-matrix/support/state-scenarios.ts).
 */
describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('state and timers in merging windows on $label', ({ options }) => {
  it.each([...MERGING_STATE_SCENARIOS, ...MERGING_TIMER_SCENARIOS].map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const { out } = await runWith(options, (p) => scenario.build(p));
    expect(inRunOrder(options, outputLines(out))).toEqual(inRunOrder(options, scenario.expected));
  });
});
