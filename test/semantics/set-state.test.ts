import { describe, expect, it } from 'vitest';
import { outputLines, SET_STATE_SCENARIOS } from '../../capability-matrix/support/state-scenarios.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * SetState (issue #15): add, contains, remove, read, isEmpty and clear per key and window. The
 * scenarios are shared with the capability matrix's Stateful Processing row
 * (capability-matrix/support/state-scenarios.ts).
 */
describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('set state on $label', ({ options }) => {
  it.each(SET_STATE_SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const { out } = await runWith(options, (p) => scenario.build(p));
    expect(inRunOrder(options, outputLines(out))).toEqual(inRunOrder(options, scenario.expected));
  });
});
