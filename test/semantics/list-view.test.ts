import { describe, expect, it } from 'vitest';
import { LIST_VIEW_SCENARIOS, SIDE_INPUT_SCENARIOS, WINDOWED_SIDE_INPUT_SCENARIOS } from '../../capability-matrix/support/side-input-scenarios.js';
import { outputLines } from '../../capability-matrix/support/state-scenarios.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Side inputs: singleton and map views, list views (issue #15) and windowed side inputs, scenarios
 * shared with the capability matrix's Side Inputs row (capability-matrix/support/side-input-scenarios.ts).
 */
describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('side inputs (list views and others) on $label', ({ options }) => {
  it.each([...SIDE_INPUT_SCENARIOS, ...LIST_VIEW_SCENARIOS, ...WINDOWED_SIDE_INPUT_SCENARIOS].map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const { out } = await runWith(options, (p) => scenario.build(p));
    expect(inRunOrder(options, outputLines(out))).toEqual(inRunOrder(options, scenario.expected));
  });
});
