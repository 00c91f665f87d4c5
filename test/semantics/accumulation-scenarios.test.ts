import { describe, expect, it } from 'vitest';
import { ACCUMULATING_SCENARIOS, DISCARDING_SCENARIOS } from '../../capability-matrix/support/accumulation-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Discarding and accumulating panes: scenarios shared with the capability matrix's How rows
 * (capability-matrix/support/accumulation-scenarios.ts). Retracting panes: accumulation.test.ts.
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['discarding', DISCARDING_SCENARIOS],
  ['accumulating', ACCUMULATING_SCENARIOS],
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('accumulation scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(inRunOrder(options, scenarioLines(scenario, out, result))).toEqual(inRunOrder(options, scenario.expected));
    });
  });
});
