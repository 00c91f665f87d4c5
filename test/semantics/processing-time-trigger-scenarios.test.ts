import { describe, expect, it } from 'vitest';
import { PROCESSING_TIME_TRIGGER_SCENARIOS } from '../../capability-matrix/support/processing-time-trigger-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Processing-time triggers: scenarios shared with the capability matrix's Processing-time triggers row
 * (capability-matrix/support/processing-time-trigger-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['Processing-time triggers', PROCESSING_TIME_TRIGGER_SCENARIOS],
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Processing-time triggers scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(inRunOrder(options, scenarioLines(scenario, out, result))).toEqual(inRunOrder(options, scenario.expected));
    });
  });
});
