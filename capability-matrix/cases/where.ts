import type { Capability } from '../model.js';
import { CUSTOM_MERGING_WINDOW_SCENARIOS, CUSTOM_WINDOW_SCENARIOS } from '../support/custom-window-scenarios.js';
import { TIMESTAMP_SCENARIOS } from '../support/timestamp-scenarios.js';
import { FIXED_WINDOW_SCENARIOS, GLOBAL_WINDOW_SCENARIOS, SESSION_WINDOW_SCENARIOS, SLIDING_WINDOW_SCENARIOS } from '../support/windowing-scenarios.js';
import { scenarioCase } from './common.js';

/** Where in event time: windows and timestamps. */

const SOURCE = 'cases/where.ts';

const global: Capability = {
  id: 'where.global',
  group: 'Where',
  name: 'Global windows',
  beamRow: 'Global windows',
  source: 'support/windowing-scenarios.ts',
  description: 'The default window covering all of time.',
  cases: GLOBAL_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

const fixed: Capability = {
  id: 'where.fixed',
  group: 'Where',
  name: 'Fixed windows',
  beamRow: 'Fixed windows',
  source: 'support/windowing-scenarios.ts',
  description: 'Fixed-size, non-overlapping event-time windows (with an optional offset).',
  cases: FIXED_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

const sliding: Capability = {
  id: 'where.sliding',
  group: 'Where',
  name: 'Sliding windows',
  beamRow: 'Sliding windows',
  source: 'support/windowing-scenarios.ts',
  description: 'Overlapping fixed-size windows: each element is in size/period windows.',
  cases: SLIDING_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

const sessions: Capability = {
  id: 'where.sessions',
  group: 'Where',
  name: 'Session windows',
  beamRow: 'Session windows',
  source: 'support/windowing-scenarios.ts',
  description: 'Per-key windows of activity separated by a gap (merging windows).',
  cases: SESSION_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

const customWindows: Capability = {
  id: 'where.custom',
  group: 'Where',
  name: 'Custom windows',
  beamRow: 'Custom windows',
  source: 'support/custom-window-scenarios.ts',
  description: 'User WindowFns assigning their own windows (any window kind with a max timestamp).',
  cases: CUSTOM_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

const customMerging: Capability = {
  id: 'where.custom-merging',
  group: 'Where',
  name: 'Custom merging windows',
  beamRow: 'Custom merging windows',
  source: 'support/custom-window-scenarios.ts',
  description: 'User WindowFns that merge windows (mergeWindows).',
  cases: CUSTOM_MERGING_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

const timestampControl: Capability = {
  id: 'where.timestamp-control',
  group: 'Where',
  name: 'Timestamp control',
  beamRow: 'Timestamp control',
  source: SOURCE,
  description: 'Event time from the element (WithTimestamps, outputWithTimestamp) and the output timestamp of aggregations (timestamp combiners).',
  cases: [
    ...TIMESTAMP_SCENARIOS.map((x) => scenarioCase(x)),
  ],
};

export const WHERE: readonly Capability[] = [global, fixed, sliding, sessions, customWindows, customMerging, timestampControl];
