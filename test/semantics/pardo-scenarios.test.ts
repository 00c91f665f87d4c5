import { describe, expect, it } from 'vitest';
import { PARDO_SCENARIOS } from '../../capability-matrix/support/pardo-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { RUNNER_CONFIGS, runWith } from '../support/runners.js';

/**
 * ParDo with user DoFns: scenarios shared with the capability matrix's ParDo row
 * (capability-matrix/support/pardo-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['ParDo', PARDO_SCENARIOS],
];

describe.each(RUNNER_CONFIGS)('ParDo scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(scenarioLines(scenario, out, result)).toEqual(scenario.expected);
    });
  });
});
