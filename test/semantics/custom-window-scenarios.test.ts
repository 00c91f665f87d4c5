import { describe, expect, it } from 'vitest';
import { CUSTOM_MERGING_WINDOW_SCENARIOS, CUSTOM_WINDOW_SCENARIOS } from '../../capability-matrix/support/custom-window-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * User WindowFns, non-merging and merging: scenarios shared with the capability matrix's Custom
 * windows rows (capability-matrix/support/custom-window-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['custom windows', CUSTOM_WINDOW_SCENARIOS],
  ['custom merging windows', CUSTOM_MERGING_WINDOW_SCENARIOS],
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('custom window scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(inRunOrder(options, scenarioLines(scenario, out, result))).toEqual(inRunOrder(options, scenario.expected));
    });
  });
});
