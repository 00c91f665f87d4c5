import type { DoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Filter } from '../../transforms/filter.js';
import { Flatten } from '../../transforms/flatten.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import type { Scenario } from './scenario.js';

/**
 * Key-ordered delivery: elements of one key reach the next step in the order the previous step
 * emitted them. Shared by test/semantics/key-order-scenarios.test.ts and the capability matrix's
 * Key-ordered delivery row (cases/ours.ts).
 */

type N = KV<string, number>;

/** `order <key>: v1 v2 …` per key (keys sorted), values in arrival order. */
function orderLines(probe: Probe<N>): string[] {
  const keys = [...new Set(probe.values().map((v) => v.key))].sort();
  return keys.map((k) => `order ${k}: ${probe.values().filter((v) => v.key === k).map((v) => v.value).join(' ')}`);
}

/** A TestStream of `count` elements per key, keys interleaved, each step of `every` elements followed by a watermark step. */
function interleaved(p: Pipeline, name: string, keys: readonly string[], count: number, timestamp: (i: number) => number) {
  let s = TestStream.create<N>();
  for (let i = 0; i < count; i++) {
    s = s.addElements(...keys.map((k): [N, number] => [kv(k, i), timestamp(i)]));
    if (i % 3 === 2) s = s.advanceWatermarkTo(0);
  }
  return p.apply(name, s.advanceWatermarkToInfinity());
}

export const KEY_ORDER_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'two keys interleaved over several bundles and watermark steps keep their order through two steps',
    build(p): Probe<N> {
      let s = TestStream.create<N>();
      for (let round = 0; round < 4; round++) {
        const els: [N, number][] = [];
        for (let i = 0; i < 5; i++) els.push([kv('a', round * 5 + i), 1000 - round * 10 - i], [kv('b', round * 5 + i), round * 10 + i]);
        s = s.addElements(...els).advanceWatermarkTo(round * 10);
      }
      return p
        .apply(s.advanceWatermarkToInfinity())
        .apply('Double', MapElements((e: N) => kv(e.key, e.value * 2)))
        .apply('Keep', Filter((e: N) => e.value >= 0))
        .apply(Capture.records<N>());
    },
    lines: orderLines,
    // event time runs backwards for a: the order is arrival order, not timestamp order
    expected: [`order a: ${Array.from({ length: 20 }, (_, i) => i * 2).join(' ')}`, `order b: ${Array.from({ length: 20 }, (_, i) => i * 2).join(' ')}`],
  },
  {
    name: 'edge: all elements at the same timestamp keep their arrival order',
    build: (p): Probe<N> => interleaved(p, 'In', ['a', 'b'], 8, () => 500).apply('Same', MapElements((e: N) => e)).apply(Capture.records()),
    lines: orderLines,
    expected: ['order a: 0 1 2 3 4 5 6 7', 'order b: 0 1 2 3 4 5 6 7'],
  },
  {
    name: 'several outputs per element arrive in the order the DoFn emitted them',
    build(p): Probe<N> {
      const fan: DoFn<N, N> = {
        process(e, ctx) {
          for (let j = 0; j < 3; j++) ctx.output(kv(e.key, e.value * 10 + j));
        },
      };
      return interleaved(p, 'In', ['a', 'b'], 3, (i) => 900 - i).apply('Fan', ParDo(fan)).apply(Capture.records());
    },
    lines: orderLines,
    expected: ['order a: 0 1 2 10 11 12 20 21 22', 'order b: 0 1 2 10 11 12 20 21 22'],
  },
  {
    name: 'through a window assignment: order kept within a window and across windows',
    build: (p): Probe<N> =>
      interleaved(p, 'In', ['a', 'b'], 6, (i) => (i % 2 === 0 ? 1500 : 200))
        .apply(Window.into<N>(FixedWindows(1000)))
        .apply(Capture.records()),
    lines: orderLines,
    expected: ['order a: 0 1 2 3 4 5', 'order b: 0 1 2 3 4 5'],
  },
  {
    name: 'through a Flatten of two branches of one input: each branch keeps its order per key',
    build(p): Probe<N> {
      const input = interleaved(p, 'In', ['a', 'b'], 5, (i) => i);
      const left = input.apply('Left', MapElements((e: N) => e));
      const right = input.apply('OnlyA', Filter((e: N) => e.key === 'a')).apply('Shift', MapElements((e: N) => kv(`${e.key}'`, e.value + 100)));
      return p.apply('Both', Flatten(left, right)).apply(Capture.records());
    },
    lines: orderLines,
    expected: ['order a: 0 1 2 3 4', "order a': 100 101 102 103 104", 'order b: 0 1 2 3 4'],
  },
];
