import { describe, expect, it } from 'vitest';
import { SOURCE_SCENARIOS } from '../../capability-matrix/support/source-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Source API: scenarios shared with the capability matrix's Source API row
 * (capability-matrix/support/source-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['Source API', SOURCE_SCENARIOS],
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Source API scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(inRunOrder(options, scenarioLines(scenario, out, result))).toEqual(inRunOrder(options, scenario.expected));
    });
  });
});
