import { describe, expect, it } from 'vitest';
import { LATE_DATA_SCENARIOS } from '../../capability-matrix/support/late-data-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Late-data side output: scenarios shared with the capability matrix's Late-data side output row
 * (capability-matrix/support/late-data-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['Late-data side output', LATE_DATA_SCENARIOS],
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Late-data side output scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(inRunOrder(options, scenarioLines(scenario, out, result))).toEqual(inRunOrder(options, scenario.expected));
    });
  });
});
