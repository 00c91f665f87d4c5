import { describe, expect, it } from 'vitest';
import { PT_LATENCY_SCENARIOS } from '../../capability-matrix/support/pt-latency-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Processing-time trigger latency: scenarios shared with the capability matrix's Processing-time trigger latency row
 * (capability-matrix/support/pt-latency-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['Processing-time trigger latency', PT_LATENCY_SCENARIOS],
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Processing-time trigger latency scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(inRunOrder(options, scenarioLines(scenario, out, result))).toEqual(inRunOrder(options, scenario.expected));
    });
  });
});
