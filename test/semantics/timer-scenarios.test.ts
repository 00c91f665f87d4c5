import { describe, expect, it } from 'vitest';
import { scenarioLines } from '../../capability-matrix/support/scenario.js';
import { TIMER_SCENARIOS } from '../../capability-matrix/support/timer-scenarios.js';
import { RUNNER_CONFIGS, runWith } from '../support/runners.js';

/**
 * Event-time timers in non-merging windows: scenarios shared with the capability matrix's Timers row
 * (capability-matrix/support/timer-scenarios.ts).
 */
describe.each(RUNNER_CONFIGS)('timer scenarios on $label', ({ options }) => {
  it.each(TIMER_SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const { out, result } = await runWith(options, (p) => scenario.build(p));
    expect(scenarioLines(scenario, out, result)).toEqual(scenario.expected);
  });
});
