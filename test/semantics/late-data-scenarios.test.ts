import { describe, expect, it } from 'vitest';
import { LATE_DATA_SCENARIOS } from '../../capability-matrix/support/late-data-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { RUNNER_CONFIGS, runWith } from '../support/runners.js';

/**
 * Late-data side output: scenarios shared with the capability matrix's Late-data side output row
 * (capability-matrix/support/late-data-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['Late-data side output', LATE_DATA_SCENARIOS],
];

describe.each(RUNNER_CONFIGS)('Late-data side output scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(scenarioLines(scenario, out, result)).toEqual(scenario.expected);
    });
  });
});
