import { describe, expect, it } from 'vitest';
import { LIST_VIEW_SCENARIOS } from '../../capability-matrix/support/side-input-scenarios.js';
import { outputLines } from '../../capability-matrix/support/state-scenarios.js';
import { RUNNER_CONFIGS, runWith } from '../support/runners.js';

/**
 * List-view side inputs (issue #15): scenarios shared with the capability matrix's Side Inputs row
 * (capability-matrix/support/side-input-scenarios.ts).
 */
describe.each(RUNNER_CONFIGS)('list-view side inputs on $label', ({ options }) => {
  it.each(LIST_VIEW_SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const { out } = await runWith(options, (p) => scenario.build(p));
    expect(outputLines(out)).toEqual(scenario.expected);
  });
});
