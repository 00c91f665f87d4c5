import { describe, expect, it } from 'vitest';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { FIXED_WINDOW_SCENARIOS, GLOBAL_WINDOW_SCENARIOS, SESSION_WINDOW_SCENARIOS, SLIDING_WINDOW_SCENARIOS } from '../../capability-matrix/support/windowing-scenarios.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Global, fixed, sliding and session windows: scenarios shared with the capability matrix's Where
 * rows (capability-matrix/support/windowing-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['global windows', GLOBAL_WINDOW_SCENARIOS],
  ['fixed windows', FIXED_WINDOW_SCENARIOS],
  ['sliding windows', SLIDING_WINDOW_SCENARIOS],
  ['session windows', SESSION_WINDOW_SCENARIOS],
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('windowing scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(inRunOrder(options, scenarioLines(scenario, out, result))).toEqual(inRunOrder(options, scenario.expected));
    });
  });
});
