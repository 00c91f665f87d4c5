import type { KV } from '../../sdk/kv.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { PTransform } from '../../sdk/ptransform.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { Filter } from '../../transforms/filter.js';
import { FlatMap } from '../../transforms/flat-map.js';
import { MapElements } from '../../transforms/map.js';
import type { Scenario } from './scenario.js';

/**
 * User composite transforms, shared by test/semantics/composite-scenarios.test.ts and the capability
 * matrix's Composite Transforms row (cases/what.ts): outputs, then the inner steps' metrics by name.
 */

/** A user composite: splits lines into words and counts them. */
const CountWords: PTransform<PCollection<string>, PCollection<KV<string, number>>> = {
  name: 'CountWords',
  expand: (lines) => lines.apply('Split', FlatMap((l: string) => l.split(' '))).apply('Count', Count.perElement<string>()),
};

/** A composite of a composite. */
const Outer: PTransform<PCollection<number>, PCollection<number>> = {
  name: 'Outer',
  expand: (input) =>
    input.apply('Inner', {
      name: 'Inner',
      expand: (x: PCollection<number>) => x.apply('Double', MapElements((n: number) => n * 2)).apply('Positive', Filter((n: number) => n > 0)),
    }),
};

/** `<step> in/out: n/m`, or `<step>: no such step`. */
const inOut = (result: PipelineResult, step: string) => {
  const m = result.metrics[step];
  return m ? `${step} in/out: ${m.elementsIn}/${m.elementsOut}` : `${step}: no such step`;
};
const values = (probe: Probe<unknown>) => probe.sortedValues().map((v) => JSON.stringify(v));

export const COMPOSITE_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'a user composite runs, and its inner steps are named Composite/Inner',
    build: (p): Probe<KV<string, number>> => p.apply(Create(['a b', 'b c b'])).apply(CountWords).apply(Capture.records()),
    lines: (out: Probe<KV<string, number>>, result) => [...values(out), inOut(result, 'CountWords/Split')],
    expected: ['{"key":"a","value":1}', '{"key":"b","value":3}', '{"key":"c","value":1}', 'CountWords/Split in/out: 2/5'],
  },
  {
    name: 'nested composites',
    build: (p): Probe<number> => p.apply(Create([-1, 1, 2])).apply(Outer).apply(Capture.records()),
    lines: (out: Probe<number>, result) => [...values(out), inOut(result, 'Outer/Inner/Positive')],
    expected: ['2', '4', 'Outer/Inner/Positive in/out: 3/2'],
  },
  {
    name: 'the same composite applied twice under two names: each instance has its own inner steps',
    build(p) {
      const left = p.apply('Left', Create(['x y'])).apply('WordsL', CountWords).apply('OutL', Capture.records());
      const right = p.apply('Right', Create(['x', 'x', 'z'])).apply('WordsR', CountWords).apply('OutR', Capture.records());
      return { left, right };
    },
    lines: (out: { left: Probe<KV<string, number>>; right: Probe<KV<string, number>> }, result) => [
      ...values(out.left).map((v) => `left ${v}`),
      ...values(out.right).map((v) => `right ${v}`),
      inOut(result, 'WordsL/Split'),
      inOut(result, 'WordsR/Split'),
    ],
    expected: ['left {"key":"x","value":1}', 'left {"key":"y","value":1}', 'right {"key":"x","value":2}', 'right {"key":"z","value":1}', 'WordsL/Split in/out: 1/2', 'WordsR/Split in/out: 3/3'],
  },
  {
    name: 'edge: a composite over an empty input outputs nothing; its inner steps report 0 in',
    build: (p): Probe<number> => p.apply(Create<number>([])).apply(Outer).apply(Capture.records()),
    lines: (out: Probe<number>, result) => [...values(out), inOut(result, 'Outer/Inner/Double'), inOut(result, 'Outer/Inner/Positive')],
    expected: ['Outer/Inner/Double in/out: 0/0', 'Outer/Inner/Positive in/out: 0/0'],
  },
];
