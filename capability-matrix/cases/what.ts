import { statefulDoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import { StateSpec } from '../../sdk/state.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { sumFn } from '../../transforms/combiners/sum.js';
import { Flatten } from '../../transforms/flatten.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { eq, expectAll, sameLines, sortedLines } from '../check.js';
import { defineCase, type Capability } from '../model.js';
import { COMBINE_SCENARIOS, FLATTEN_SCENARIOS, GROUP_BY_KEY_SCENARIOS } from '../support/core-transform-scenarios.js';
import { COMPOSITE_SCENARIOS } from '../support/composite-scenarios.js';
import { METRICS_SCENARIOS } from '../support/metrics-scenarios.js';
import { PARDO_SCENARIOS } from '../support/pardo-scenarios.js';
import { LIST_VIEW_SCENARIOS, SIDE_INPUT_SCENARIOS, WINDOWED_SIDE_INPUT_SCENARIOS } from '../support/side-input-scenarios.js';
import { SOURCE_SCENARIOS } from '../support/source-scenarios.js';
import { MERGING_STATE_SCENARIOS, SET_STATE_SCENARIOS } from '../support/state-scenarios.js';
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
    defineCase({
      name: 'value state: a running count per key',
      build(p) {
        const counter = statefulDoFn({
          state: { n: StateSpec.value<number>() },
          process(e: KV<string, number>, ctx) {
            const n = (ctx.state.n.read() ?? 0) + 1;
            ctx.state.n.write(n);
            ctx.output(kv(e.key, n));
          },
        });
        return p
          .apply(
            TestStream.create<KV<string, number>>()
              .addElements([kv('a', 0), 1], [kv('b', 0), 2], [kv('a', 0), 3])
              .advanceWatermarkTo(10)
              .addElements([kv('a', 0), 11], [kv('b', 0), 12])
              .advanceWatermarkToInfinity(),
          )
          .apply('Counter', ParDo(counter))
          .apply(Capture.records<KV<string, number>>());
      },
      check({ out }) {
        const a = out.values().filter((v) => v.key === 'a').map((v) => v.value);
        const b = out.values().filter((v) => v.key === 'b').map((v) => v.value);
        return expectAll(eq('running counts of a', a, [1, 2, 3]), eq('running counts of b', b, [1, 2]));
      },
    }),
    defineCase({
      name: 'bag, combining and map state are scoped to key and window',
      build(p) {
        const fn = statefulDoFn({
          state: { seen: StateSpec.bag<number>(), total: StateSpec.combining(sumFn()), last: StateSpec.map<string, number>() },
          process(e: KV<string, number>, ctx) {
            ctx.state.seen.add(e.value);
            ctx.state.total.add(e.value);
            ctx.state.last.put('v', e.value);
            ctx.output(kv(e.key, `${ctx.state.seen.read().length}/${ctx.state.total.read()}/${ctx.state.last.entries().length}`));
          },
        });
        return p
          .apply(
            TestStream.create<KV<string, number>>()
              .addElements([kv('a', 1), 100], [kv('a', 2), 200], [kv('b', 5), 300])
              .advanceWatermarkTo(500)
              .addElements([kv('a', 4), 1100])
              .advanceWatermarkToInfinity(),
          )
          .apply(Window.into(FixedWindows(1000)))
          .apply('State', ParDo(fn))
          .apply(Capture.records<KV<string, string>>());
      },
      check({ out }) {
        return expectAll(
          sameLines('outputs', sortedLines(out), [
            '[0,1000) UNKNOWN #0 last {"key":"a","value":"1/1/1"}',
            '[0,1000) UNKNOWN #0 last {"key":"a","value":"2/3/1"}',
            '[0,1000) UNKNOWN #0 last {"key":"b","value":"1/5/1"}',
            '[1000,2000) UNKNOWN #0 last {"key":"a","value":"1/4/1"}',
          ]),
        );
      },
    }),
    defineCase({
      name: 'map state with several keys per element key: put, overwrite, remove, entries',
      build(p) {
        const fn = statefulDoFn({
          state: { byColour: StateSpec.map<string, number>() },
          process(e: KV<string, string>, ctx) {
            const [op, colour] = e.value.split(':') as [string, string];
            if (op === 'del') ctx.state.byColour.remove(colour);
            else ctx.state.byColour.put(colour, (ctx.state.byColour.get(colour) ?? 0) + 1);
            const entries = [...ctx.state.byColour.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
            ctx.output(kv(e.key, entries.map(([c, n]) => `${c}=${n}`).join(' ')));
          },
        });
        return p
          .apply(
            TestStream.create<KV<string, string>>()
              .addElements([kv('a', 'add:red'), 1], [kv('a', 'add:blue'), 2], [kv('b', 'add:red'), 3], [kv('a', 'add:red'), 4])
              .advanceWatermarkTo(10)
              .addElements([kv('a', 'del:blue'), 11], [kv('b', 'add:green'), 12])
              .advanceWatermarkToInfinity(),
          )
          .apply('Colours', ParDo(fn))
          .apply(Capture.records<KV<string, string>>());
      },
      check({ out }) {
        const of = (k: string) => out.values().filter((v) => v.key === k).map((v) => v.value);
        return expectAll(eq('map entries of a', of('a'), ['red=1', 'blue=1 red=1', 'blue=1 red=2', 'red=2']), eq('map entries of b', of('b'), ['red=1', 'green=1 red=1']));
      },
    }),
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
