import { describe, expect, it } from 'vitest';
import { COMBINE_SCENARIOS, FLATTEN_SCENARIOS, GROUP_BY_KEY_SCENARIOS } from '../../capability-matrix/support/core-transform-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * GroupByKey, Flatten and Combine: scenarios shared with the capability matrix's What rows
 * (capability-matrix/support/core-transform-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['GroupByKey', GROUP_BY_KEY_SCENARIOS],
  ['Flatten', FLATTEN_SCENARIOS],
  ['Combine', COMBINE_SCENARIOS],
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('core transform scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(inRunOrder(options, scenarioLines(scenario, out, result))).toEqual(inRunOrder(options, scenario.expected));
    });
  });
});
