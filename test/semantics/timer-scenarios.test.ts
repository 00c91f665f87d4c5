import { describe, expect, it } from 'vitest';
import { scenarioLines } from '../../capability-matrix/support/scenario.js';
import { TIMER_SCENARIOS } from '../../capability-matrix/support/timer-scenarios.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Event-time timers in non-merging windows: scenarios shared with the capability matrix's Timers row
 * (capability-matrix/support/timer-scenarios.ts).
 */
describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('timer scenarios on $label', ({ options }) => {
  it.each(TIMER_SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const { out, result } = await runWith(options, (p) => scenario.build(p));
    expect(inRunOrder(options, scenarioLines(scenario, out, result))).toEqual(inRunOrder(options, scenario.expected));
  });
});
