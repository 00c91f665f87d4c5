import { describe, expect, it } from 'vitest';
import { scenarioLines } from '../../capability-matrix/support/scenario.js';
import { KEYED_STATE_SCENARIOS } from '../../capability-matrix/support/state-scenarios.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Value, bag, combining and map state per key and window: scenarios shared with the capability
 * matrix's Stateful Processing row (capability-matrix/support/state-scenarios.ts).
 */
describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('keyed state scenarios on $label', ({ options }) => {
  it.each(KEYED_STATE_SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const { out, result } = await runWith(options, (p) => scenario.build(p));
    expect(inRunOrder(options, scenarioLines(scenario, out, result))).toEqual(inRunOrder(options, scenario.expected));
  });
});
