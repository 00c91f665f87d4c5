import type { DoFn } from '../../sdk/dofn.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MIN } from '../../sdk/time.js';
import { Create } from '../../transforms/create.js';
import { ParDo } from '../../transforms/par-do.js';
import type { Scenario } from './scenario.js';

/**
 * ParDo with user DoFns, shared by test/semantics/pardo-scenarios.test.ts and the capability
 * matrix's ParDo row (cases/what.ts).
 */

/** `value@timestamp` per record, sorted. */
const valuesAt = (probe: Probe<unknown>) => probe.records.map((r) => `${JSON.stringify(r.value)}@${r.timestamp}`).sort();

/** Why a DoFn call log breaks `setup (startBundle process* finishBundle)* teardown`, or 'well-formed'. */
function lifecycleProblem(calls: readonly string[]): string {
  if (calls[0] !== 'setup') return `first call ${calls[0]}`;
  if (calls[calls.length - 1] !== 'teardown') return `last call ${calls[calls.length - 1]}`;
  let open = false;
  for (const c of calls.slice(1, -1)) {
    if (c === 'startBundle') {
      if (open) return 'startBundle inside an open bundle';
      open = true;
    } else if (c === 'finishBundle') {
      if (!open) return 'finishBundle without startBundle';
      open = false;
    } else if (c === 'process') {
      if (!open) return 'process outside a bundle';
    } else return `${c} called more than once`;
  }
  return open ? 'the last bundle was never finished' : 'well-formed';
}

export const PARDO_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'main and tagged outputs keep the element timestamp',
    build(p) {
      const fn: DoFn<number, number, { odd: number }> = {
        process(x, ctx) {
          ctx.output(x * 10);
          if (x % 2 === 1) ctx.outputTo('odd', x);
        },
      };
      const out = p.apply(TestStream.create<number>().addElements([1, 100], [2, 200], [3, 300], [4, 400]).advanceWatermarkToInfinity()).apply('Split', ParDo(fn).withOutputs('odd'));
      return { main: out.main.apply('Main', Capture.records()), odd: out.odd.apply('Odd', Capture.records()) };
    },
    lines: (out: { main: Probe<number>; odd: Probe<number> }) => [...valuesAt(out.main).map((l) => `main ${l}`), ...valuesAt(out.odd).map((l) => `odd ${l}`)],
    expected: ['main 10@100', 'main 20@200', 'main 30@300', 'main 40@400', 'odd 1@100', 'odd 3@300'],
  },
  {
    name: 'lifecycle: setup first, every element inside a bundle, teardown last',
    build(p) {
      const calls: string[] = [];
      const fn: DoFn<number, number> = {
        setup: () => void calls.push('setup'),
        startBundle: () => void calls.push('startBundle'),
        process: (x, ctx) => {
          calls.push('process');
          ctx.output(x);
        },
        finishBundle: () => void calls.push('finishBundle'),
        teardown: () => void calls.push('teardown'),
      };
      p.apply(Create([1, 2, 3])).apply('Fn', ParDo(fn)).apply(Capture.records());
      return calls;
    },
    lines: (calls: string[]) => [`calls: ${lifecycleProblem(calls)}`, `process calls: ${calls.filter((c) => c === 'process').length}`],
    expected: ['calls: well-formed', 'process calls: 3'],
  },
  {
    name: 'edge: zero, one or many outputs per element, each at the element timestamp',
    build: (p): Probe<number> =>
      p
        .apply(TestStream.create<number>().addElements([0, 10], [1, 20], [3, 30]).advanceWatermarkToInfinity())
        .apply('Copies', ParDo<number, number>({
            process(n, ctx) {
              for (let i = 0; i < n; i++) ctx.output(n);
            },
          }))
        .apply(Capture.records()),
    lines: valuesAt,
    expected: ['1@20', '3@30', '3@30', '3@30'],
  },
  {
    name: 'edge: an element the DoFn throws on goes to the dead-letter output with its reason; the others go on',
    build(p) {
      const out = p
        .apply(TestStream.create<number>().addElements([1, 100], [0, 200], [4, 300]).advanceWatermarkToInfinity())
        .apply(
          'Invert',
          ParDo<number, number>({
            process(n, ctx) {
              if (n === 0) throw new Error('cannot invert 0');
              ctx.output(1 / n);
            },
          }).withDeadLetters(),
        );
      return { out: out.apply('Out', Capture.records()), dead: out.deadLetters().apply('Dead', Capture.records()) };
    },
    lines: (o: { out: Probe<number>; dead: Probe<{ step: string; reason: string; message: string; element: unknown; timestamp?: number }> }) => [
      ...valuesAt(o.out),
      ...o.dead.values().map((d) => `dead ${JSON.stringify(d.element)}@${d.timestamp} in ${d.step} (${d.reason}): ${d.message}`),
    ],
    expected: ['0.25@300', '1@100', 'dead 0@200 in Invert (user-code): cannot invert 0'],
  },
  {
    name: 'edge: extreme timestamps (the minimum, and the end of the global window) pass through unchanged',
    build: (p): Probe<string> =>
      p
        .apply(TestStream.create<string>().addElements(['first', TIMESTAMP_MIN], ['last', END_OF_GLOBAL_WINDOW]).advanceWatermarkToInfinity())
        .apply('Upper', ParDo<string, string>({ process: (s, ctx) => ctx.output(s.toUpperCase()) }))
        .apply(Capture.records()),
    lines: valuesAt,
    expected: [`"FIRST"@${TIMESTAMP_MIN}`, `"LAST"@${END_OF_GLOBAL_WINDOW}`],
  },
];
