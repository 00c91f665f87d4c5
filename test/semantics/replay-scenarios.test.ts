import { describe, expect, it } from 'vitest';
import { REPLAY_SCENARIOS, replayTranscript } from '../../capability-matrix/support/replay-scenarios.js';
import { scenarioLines } from '../../capability-matrix/support/scenario.js';
import { VirtualClock } from '../../sdk/clock.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Bounded replay: scenarios shared with the capability matrix's Bounded replay row
 * (capability-matrix/support/replay-scenarios.ts). Each runs twice; both transcripts must be equal.
 * Like the matrix, each run has a virtual clock starting at 0, so that emission times of a pipeline
 * without a TestStream (which would read the system clock) can be compared too.
 */
describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Bounded replay scenarios on $label', ({ options }) => {
  it.each(REPLAY_SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const first = await runWith({ clock: new VirtualClock(0), ...options }, (p) => scenario.build(p));
    const second = await runWith({ clock: new VirtualClock(0), ...options }, (p) => scenario.build(p));
    expect(scenarioLines(scenario, second.out, second.result)).toEqual(scenario.expected);
    expect(replayTranscript(second.out, second.result)).toEqual(replayTranscript(first.out, first.result));
  });
});
