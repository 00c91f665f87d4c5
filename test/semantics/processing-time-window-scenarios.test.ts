import { describe, expect, it } from 'vitest';
import { PROCESSING_TIME_WINDOW_SCENARIOS } from '../../capability-matrix/support/processing-time-window-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { RUNNER_CONFIGS, runWith } from '../support/runners.js';

/**
 * Processing-time windows: scenarios shared with the capability matrix's Processing-time windows row
 * (capability-matrix/support/processing-time-window-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['Processing-time windows', PROCESSING_TIME_WINDOW_SCENARIOS],
];

describe.each(RUNNER_CONFIGS)('Processing-time windows scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(scenarioLines(scenario, out, result)).toEqual(scenario.expected);
    });
  });
});
