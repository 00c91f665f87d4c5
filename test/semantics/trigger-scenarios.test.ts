import { describe, expect, it } from 'vitest';
import { ALLOWED_LATENESS_SCENARIOS, CONFIGURABLE_TRIGGER_SCENARIOS, COUNT_TRIGGER_SCENARIOS, EVENT_TIME_TRIGGER_SCENARIOS } from '../../capability-matrix/support/trigger-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Configurable triggering, event-time triggers and allowed lateness: scenarios shared with the
 * capability matrix's When rows (capability-matrix/support/trigger-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['configurable triggering', CONFIGURABLE_TRIGGER_SCENARIOS],
  ['event-time triggers', EVENT_TIME_TRIGGER_SCENARIOS],
  ['allowed lateness', ALLOWED_LATENESS_SCENARIOS],
  ['count triggers', COUNT_TRIGGER_SCENARIOS],
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('trigger scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(inRunOrder(options, scenarioLines(scenario, out, result))).toEqual(inRunOrder(options, scenario.expected));
    });
  });
});
