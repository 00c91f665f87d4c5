import type { DoFn } from '../../sdk/dofn.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { Create } from '../../transforms/create.js';
import { Filter } from '../../transforms/filter.js';
import { ParDo } from '../../transforms/par-do.js';
import type { Scenario } from './scenario.js';

/**
 * Metrics in the run result, shared by test/semantics/metrics-scenarios.test.ts and the capability
 * matrix's Metrics row (cases/what.ts). Each scenario's lines are the metrics of its steps.
 */

/** One step's metrics as lines: in/out, then user counters and distributions (JSON), or 'no such step'. */
function stepLines(result: PipelineResult, step: string): string[] {
  const m = result.metrics[step];
  if (!m) return [`${step}: no such step`];
  return [`${step} in/out: ${m.elementsIn}/${m.elementsOut}`, `${step} counters: ${JSON.stringify(m.counters)}`, `${step} distributions: ${JSON.stringify(m.distributions)}`];
}

/** A DoFn that counts every element, adds 10 to 'big' for elements above 2, and records each in the 'size' distribution. */
const measure: DoFn<number, number> = {
  process(x, ctx) {
    ctx.metrics.counter('seen').inc();
    if (x > 2) ctx.metrics.counter('big').inc(10);
    ctx.metrics.distribution('size').update(x);
    ctx.output(x);
  },
};

export const METRICS_SCENARIOS: readonly Scenario<undefined>[] = [
  {
    name: 'user counters and distributions per step',
    build(p) {
      p.apply(TestStream.create<number>().addElements([1, 1], [2, 2]).advanceWatermarkTo(5).addElements([3, 3], [4, 4]).advanceWatermarkToInfinity()).apply('Measure', ParDo(measure)).apply(Capture.records());
      return undefined;
    },
    lines: (_, result) => stepLines(result, 'Measure'),
    expected: ['Measure in/out: 4/4', 'Measure counters: {"seen":4,"big":20}', 'Measure distributions: {"size":{"count":4,"sum":10,"min":1,"max":4}}'],
  },
  {
    name: 'elements in and out per step',
    build(p) {
      p.apply(Create([1, 2, 3, 4])).apply('Evens', Filter((x: number) => x % 2 === 0)).apply(Capture.records());
      return undefined;
    },
    lines: (_, result) => stepLines(result, 'Evens').slice(0, 1),
    expected: ['Evens in/out: 4/2'],
  },
  {
    name: 'edge: a step that gets no elements reports 0 in and out, and no user metrics',
    build(p) {
      p.apply(Create<number>([])).apply('Measure', ParDo(measure)).apply(Capture.records());
      return undefined;
    },
    lines: (_, result) => stepLines(result, 'Measure'),
    expected: ['Measure in/out: 0/0', 'Measure counters: {}', 'Measure distributions: {}'],
  },
  {
    name: 'edge: a distribution of extreme and negative values, and a counter with negative increments, are exact',
    build(p) {
      const fn: DoFn<number, number> = {
        process(x, ctx) {
          ctx.metrics.counter('net').inc(x < 0 ? -1 : 1);
          ctx.metrics.distribution('value').update(x);
        },
      };
      p.apply(Create([-5, Number.MAX_SAFE_INTEGER - 10, -5, 0])).apply('Extremes', ParDo(fn)).apply(Capture.records());
      return undefined;
    },
    lines: (_, result) => stepLines(result, 'Extremes'),
    expected: ['Extremes in/out: 4/0', 'Extremes counters: {"net":0}', `Extremes distributions: {"value":{"count":4,"sum":${Number.MAX_SAFE_INTEGER - 20},"min":-5,"max":${Number.MAX_SAFE_INTEGER - 10}}}`],
  },
];
