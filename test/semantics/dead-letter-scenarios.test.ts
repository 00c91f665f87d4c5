import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_SCENARIOS } from '../../capability-matrix/support/dead-letter-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Dead-letter output: scenarios shared with the capability matrix's Dead-letter output row
 * (capability-matrix/support/dead-letter-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['Dead-letter output', DEAD_LETTER_SCENARIOS],
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Dead-letter output scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(inRunOrder(options, scenarioLines(scenario, out, result))).toEqual(inRunOrder(options, scenario.expected));
    });
  });
});
