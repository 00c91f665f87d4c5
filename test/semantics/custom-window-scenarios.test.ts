import { describe, expect, it } from 'vitest';
import { CUSTOM_MERGING_WINDOW_SCENARIOS, CUSTOM_WINDOW_SCENARIOS } from '../../capability-matrix/support/custom-window-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { RUNNER_CONFIGS, runWith } from '../support/runners.js';

/**
 * User WindowFns, non-merging and merging: scenarios shared with the capability matrix's Custom
 * windows rows (capability-matrix/support/custom-window-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['custom windows', CUSTOM_WINDOW_SCENARIOS],
  ['custom merging windows', CUSTOM_MERGING_WINDOW_SCENARIOS],
];

describe.each(RUNNER_CONFIGS)('custom window scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(scenarioLines(scenario, out, result)).toEqual(scenario.expected);
    });
  });
});
