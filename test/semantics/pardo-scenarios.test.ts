import { describe, expect, it } from 'vitest';
import { PARDO_SCENARIOS } from '../../capability-matrix/support/pardo-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * ParDo with user DoFns: scenarios shared with the capability matrix's ParDo row
 * (capability-matrix/support/pardo-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['ParDo', PARDO_SCENARIOS],
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('ParDo scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(inRunOrder(options, scenarioLines(scenario, out, result))).toEqual(inRunOrder(options, scenario.expected));
    });
  });
});
