import { describe, expect, it } from 'vitest';
import { KEY_ORDER_SCENARIOS } from '../../capability-matrix/support/key-order-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Key-ordered delivery: scenarios shared with the capability matrix's Key-ordered delivery row
 * (capability-matrix/support/key-order-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['Key-ordered delivery', KEY_ORDER_SCENARIOS],
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Key-ordered delivery scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(inRunOrder(options, scenarioLines(scenario, out, result))).toEqual(inRunOrder(options, scenario.expected));
    });
  });
});
