import type { Capability } from '../model.js';
import { COMBINE_SCENARIOS, FLATTEN_SCENARIOS, GROUP_BY_KEY_SCENARIOS } from '../support/core-transform-scenarios.js';
import { COMPOSITE_SCENARIOS } from '../support/composite-scenarios.js';
import { METRICS_SCENARIOS } from '../support/metrics-scenarios.js';
import { PARDO_SCENARIOS } from '../support/pardo-scenarios.js';
import { LIST_VIEW_SCENARIOS, SIDE_INPUT_SCENARIOS, WINDOWED_SIDE_INPUT_SCENARIOS } from '../support/side-input-scenarios.js';
import { SOURCE_SCENARIOS } from '../support/source-scenarios.js';
import { KEYED_STATE_SCENARIOS, MERGING_STATE_SCENARIOS, SET_STATE_SCENARIOS } from '../support/state-scenarios.js';
import { scenarioCase } from './common.js';

/** What is being computed: the transforms. */

/** Shown with the first merging-windows case of the Stateful Processing row. */
const MERGING_NOTES =
  'Beam’s Dataflow and Flink runners publish Partially for this row (state in non-merging windows only). Watershed merges state when windows merge; ' +
  'the scenarios are shared with test/semantics/merging-state.test.ts and set-state.test.ts (support/state-scenarios.ts).';

const SOURCE = 'cases/what.ts';

const parDo: Capability = {
  id: 'what.pardo',
  group: 'What',
  name: 'ParDo',
  beamRow: 'ParDo',
  source: 'support/pardo-scenarios.ts',
  description: 'Element-wise processing with a user DoFn: outputs, tagged outputs, lifecycle.',
  cases: PARDO_SCENARIOS.map((x) => scenarioCase(x)),
};

const groupByKey: Capability = {
  id: 'what.gbk',
  group: 'What',
  name: 'GroupByKey',
  beamRow: 'GroupByKey',
  source: 'support/core-transform-scenarios.ts',
  description: 'Groups values per key, window and pane.',
  cases: GROUP_BY_KEY_SCENARIOS.map((x) => scenarioCase(x)),
};

const flatten: Capability = {
  id: 'what.flatten',
  group: 'What',
  name: 'Flatten',
  beamRow: 'Flatten',
  source: 'support/core-transform-scenarios.ts',
  description: 'Merges PCollections of the same type and windowing.',
  cases: FLATTEN_SCENARIOS.map((x) => scenarioCase(x)),
};

const combine: Capability = {
  id: 'what.combine',
  group: 'What',
  name: 'Combine',
  beamRow: 'Combine',
  source: 'support/core-transform-scenarios.ts',
  description: 'Incremental aggregation with a CombineFn, per key and globally.',
  cases: COMBINE_SCENARIOS.map((x) => scenarioCase(x)),
};

const composite: Capability = {
  id: 'what.composite',
  group: 'What',
  name: 'Composite Transforms',
  beamRow: 'Composite Transforms',
  source: 'support/composite-scenarios.ts',
  description: 'User transforms built from others, with hierarchical step names kept through execution (metrics per inner step).',
  cases: COMPOSITE_SCENARIOS.map((x) => scenarioCase(x)),
};

const sideInputs: Capability = {
  id: 'what.side-inputs',
  group: 'What',
  name: 'Side Inputs',
  beamRow: 'Side Inputs',
  source: SOURCE,
  description: 'Additional PCollections a DoFn reads per window (singleton, list and map views). The list-view cases are shared with test/semantics/list-view.test.ts.',
  cases: [
    ...SIDE_INPUT_SCENARIOS.map((x) => scenarioCase(x)),
    ...LIST_VIEW_SCENARIOS.map((x) => scenarioCase(x)),
    ...WINDOWED_SIDE_INPUT_SCENARIOS.map((x) => scenarioCase(x)),
  ],
};

const sourceApi: Capability = {
  id: 'what.source-api',
  group: 'What',
  name: 'Source API',
  beamRow: 'Source API',
  source: SOURCE,
  description: 'User-written sources (Read.from) with their own timestamps and watermark.',
  cases: [
    ...SOURCE_SCENARIOS.map((x) => scenarioCase(x)),
  ],
};

const metrics: Capability = {
  id: 'what.metrics',
  group: 'What',
  name: 'Metrics',
  beamRow: 'Metrics',
  source: 'support/metrics-scenarios.ts',
  description: 'User counters and distributions, and per-step element counts, in the run result.',
  cases: METRICS_SCENARIOS.map((x) => scenarioCase(x)),
};

const stateful: Capability = {
  id: 'what.stateful',
  group: 'What',
  name: 'Stateful Processing',
  beamRow: 'Stateful Processing',
  source: SOURCE,
  description:
    'Per-key-and-window state in a DoFn: value, bag, combining, set and map state; also after merging windows (Sessions), where the step merges each key’s windows and their state ' +
    '(bag: concatenated; combining: mergeAccumulators; set and map: union, the latest-ending window’s entry winning a map key; value: the latest-ending window’s).',
  cases: [
    ...KEYED_STATE_SCENARIOS.map((x) => scenarioCase(x)),
    ...SET_STATE_SCENARIOS.map((x) => scenarioCase(x)),
    ...MERGING_STATE_SCENARIOS.map((x, i) => scenarioCase(x, i === 0 ? MERGING_NOTES : undefined)),
  ],
};

const splittable = (bounded: boolean): Capability => ({
  id: bounded ? 'what.sdf-bounded' : 'what.sdf-unbounded',
  group: 'What',
  name: bounded ? 'Bounded Splittable DoFn' : 'Unbounded Splittable DoFn',
  beamRow: bounded ? 'Bounded Splittable DoFn' : 'Unbounded Splittable DoFn',
  source: SOURCE,
  description:
    'A DoFn that processes one element in restrictions the runner can split (initial and dynamic splitting), checkpoint and resume, and finalize per bundle' +
    (bounded ? ' (bounded work per element, e.g. reading files).' : ' (unbounded work per element, e.g. reading a stream).'),
  cases: [],
  notImplemented: 'Watershed has no splittable DoFn (no restrictions, trackers, splitting or bundle finalization); sources implement the Source API instead',
});

export const WHAT: readonly Capability[] = [parDo, groupByKey, flatten, combine, composite, sideInputs, sourceApi, metrics, stateful, splittable(true), splittable(false)];
