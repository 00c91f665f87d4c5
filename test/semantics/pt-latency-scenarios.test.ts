import { describe, expect, it } from 'vitest';
import { PT_LATENCY_SCENARIOS } from '../../capability-matrix/support/pt-latency-scenarios.js';
import { scenarioLines, type Scenario } from '../../capability-matrix/support/scenario.js';
import { RUNNER_CONFIGS, runWith } from '../support/runners.js';

/**
 * Processing-time trigger latency: scenarios shared with the capability matrix's Processing-time trigger latency row
 * (capability-matrix/support/pt-latency-scenarios.ts).
 */
const GROUPS: readonly (readonly [string, readonly Scenario<any>[]])[] = [
  ['Processing-time trigger latency', PT_LATENCY_SCENARIOS],
];

describe.each(RUNNER_CONFIGS)('Processing-time trigger latency scenarios on $label', ({ options }) => {
  describe.each(GROUPS)('%s', (_group, scenarios) => {
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const { out, result } = await runWith(options, (p) => scenario.build(p));
      expect(scenarioLines(scenario, out, result)).toEqual(scenario.expected);
    });
  });
});
