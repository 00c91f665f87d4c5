import type { DoFn } from '../../sdk/dofn.js';
import type { PCollectionView } from '../../sdk/side-input.js';
import { View } from '../../sdk/side-input.js';
import { Capture } from '../../sdk/testing/capture.js';
import { kv } from '../../sdk/kv.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { Create } from '../../transforms/create.js';
import { Filter } from '../../transforms/filter.js';
import { Flatten } from '../../transforms/flatten.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import type { StateScenario } from './state-scenarios.js';

/**
 * Side inputs: singleton and map views (SIDE_INPUT_SCENARIOS), list views (`View.asList`,
 * LIST_VIEW_SCENARIOS) and windowed side inputs (WINDOWED_SIDE_INPUT_SCENARIOS), shared by
 * test/semantics/list-view.test.ts and the capability matrix's Side Inputs row (cases/what.ts), in
 * that order. Each main element outputs a string; results are `<window id> <output>` lines, sorted
 * (see outputLines in state-scenarios.ts).
 */

export const SIDE_INPUT_SCENARIOS: readonly StateScenario[] = [
  {
    name: 'a global singleton and map from bounded inputs, read by a streamed main input',
    build(p) {
      const factor = View.asSingleton(p.apply('Factor', Create([10])));
      const names = View.asMap(p.apply('Names', Create([kv(1, 'one'), kv(2, 'two')])));
      const fn: DoFn<number, string> = {
        process(x, ctx) {
          ctx.output(`${ctx.sideInput(names).get(x) ?? '?'}x${ctx.sideInput(factor)}`);
        },
      };
      return p
        .apply(TestStream.create<number>().addElements([1, 100], [2, 200]).advanceWatermarkTo(1000).addElements([3, 1500]).advanceWatermarkToInfinity())
        .apply('Join', ParDo(fn).withSideInputs(factor, names))
        .apply(Capture.records<string>());
    },
    expected: ['global ?x10', 'global onex10', 'global twox10'],
  },
];

export const WINDOWED_SIDE_INPUT_SCENARIOS: readonly StateScenario[] = [
  {
    name: 'a windowed side input: each main window sees its own side window',
    build(p) {
      const sums = p
        .apply('SideData', Create.timestamped([{ value: 10, timestamp: 100 }, { value: 20, timestamp: 900 }, { value: 5, timestamp: 1100 }]))
        .apply('SideWindows', Window.into<number>(FixedWindows(1000)))
        .apply('SideSum', Sum.globally().withoutDefaults());
      const view = View.asSingleton(sums, { defaultValue: 0 });
      const fn: DoFn<string, string> = {
        process(m, ctx) {
          ctx.output(`${m}:${ctx.sideInput(view)}`);
        },
      };
      return p
        .apply(TestStream.create<string>().addElements(['m1', 500], ['m2', 1999]).advanceWatermarkTo(2000).addElements(['m3', 2500]).advanceWatermarkToInfinity())
        .apply(Window.into(FixedWindows(1000)))
        .apply('Join', ParDo(fn).withSideInputs(view))
        .apply(Capture.records<string>());
    },
    expected: ['0:1000 m1:30', '1000:2000 m2:5', '2000:3000 m3:0'],
  },
  {
    name: 'a main element that arrives before its side window is ready is held back',
    build(p) {
      type Ev = { readonly main?: string; readonly side?: number };
      const input = p.apply(
        TestStream.create<Ev>()
          .addElements([{ main: 'm1' }, 500]) // its side window [0,1000) is not ready yet
          .advanceProcessingTime(1000)
          .addElements([{ side: 10 }, 100], [{ side: 20 }, 900])
          .advanceWatermarkTo(1000) // the side sum of [0,1000) fires: m1 can go
          .advanceWatermarkToInfinity(),
      );
      const side = input
        .apply('SideOnly', Filter((e: Ev) => e.side !== undefined))
        .apply('SideValue', MapElements((e: Ev) => e.side!))
        .apply('SideWindows', Window.into<number>(FixedWindows(1000)))
        .apply('SideSum', Sum.globally().withoutDefaults());
      const view = View.asSingleton(side, { defaultValue: 0 });
      const fn: DoFn<string, string> = {
        process(m, ctx) {
          ctx.output(`${m}:${ctx.sideInput(view)}`);
        },
      };
      return input
        .apply('MainOnly', Filter((e: Ev) => e.main !== undefined))
        .apply('MainValue', MapElements((e: Ev) => e.main!))
        .apply('MainWindows', Window.into<string>(FixedWindows(1000)))
        .apply('Join', ParDo(fn).withSideInputs(view))
        .apply(Capture.records<string>());
    },
    expected: ['0:1000 m1:30'],
  },
];

/** Outputs `<element>:<list joined by commas>` for each main element (sorted when `sort`). */
const joinList = (view: PCollectionView<readonly (string | number)[]>, sort: boolean): DoFn<string, string> => ({
  process(m, ctx) {
    const list = [...ctx.sideInput(view)];
    if (sort) list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    ctx.output(`${m}:${list.join(',')}`);
  },
});

export const LIST_VIEW_SCENARIOS: readonly StateScenario[] = [
  {
    name: 'a list view: every element of a windowed side input, duplicates kept, read per main window (an empty side window reads [])',
    build(p) {
      const side = p
        .apply('Prices', Create.timestamped([{ value: 5, timestamp: 100 }, { value: 7, timestamp: 200 }, { value: 5, timestamp: 300 }, { value: 9, timestamp: 1100 }]))
        .apply('SideWindows', Window.into<number>(FixedWindows(1000)));
      const prices = View.asList(side);
      return p
        .apply('Main', TestStream.create<string>().addElements(['a', 500], ['b', 1500], ['c', 2500]).advanceWatermarkToInfinity())
        .apply('MainWindows', Window.into<string>(FixedWindows(1000)))
        .apply('Join', ParDo(joinList(prices, true)).withSideInputs(prices))
        .apply(Capture.records<string>());
    },
    expected: ['0:1000 a:5,5,7', '1000:2000 b:9', '2000:3000 c:'],
  },
  {
    name: 'a global list view of a bounded input, read by a streamed main input: the input order, duplicates kept',
    build(p) {
      const names = View.asList(p.apply('Names', Create(['x', 'y', 'x', 'z'])));
      return p
        .apply('Main', TestStream.create<string>().addElements(['m1', 100]).advanceWatermarkTo(5000).addElements(['m2', 6000]).advanceWatermarkToInfinity())
        .apply('Join', ParDo(joinList(names, false)).withSideInputs(names))
        .apply(Capture.records<string>());
    },
    expected: ['global m1:x,y,x,z', 'global m2:x,y,x,z'],
  },
  {
    name: 'a list view of an empty input is an empty list, never an error',
    build(p) {
      const none = View.asList(p.apply('Nothing', Create<string>([])));
      return p
        .apply('Main', TestStream.create<string>().addElements(['m', 100]).advanceWatermarkToInfinity())
        .apply('Join', ParDo(joinList(none, false)).withSideInputs(none))
        .apply(Capture.records<string>());
    },
    expected: ['global m:'],
  },
  {
    name: 'the list is read-only: changing it fails that element (here to the dead-letter output), and the next element reads it unchanged',
    build(p) {
      const view = View.asList(p.apply('Side', Create([1, 2])));
      const fn: DoFn<string, string> = {
        process(m, ctx) {
          const list = ctx.sideInput(view);
          ctx.output(`${m}:${list.join(',')}`);
          if (m === 'm1') (list as number[]).push(99);
        },
      };
      const out = p
        .apply('Main', TestStream.create<string>().addElements(['m1', 100], ['m2', 200], ['m3', 300]).advanceWatermarkToInfinity())
        .apply('Join', ParDo(fn).withSideInputs(view).withDeadLetters());
      const dead = out.deadLetters().apply(MapElements((d) => `dead ${String(d.element)} in ${d.step}: ${d.message.split(':')[0]}`));
      return p.apply(Flatten(out, dead)).apply(Capture.records<string>());
    },
    // m1's output was emitted before it failed; the run goes on
    expected: ['global dead m1 in Join: Cannot add property 2, object is not extensible', 'global m1:1,2', 'global m2:1,2', 'global m3:1,2'],
  },
  {
    name: 'a list view windowed more coarsely than the main input: main windows map to the side window holding their end',
    build(p) {
      const side = p
        .apply('Side', Create.timestamped([{ value: 1, timestamp: 100 }, { value: 2, timestamp: 1900 }, { value: 3, timestamp: 2100 }]))
        .apply('SideWindows', Window.into<number>(FixedWindows(2000)));
      const view = View.asList(side);
      return p
        .apply('Main', TestStream.create<string>().addElements(['a', 500], ['b', 1500], ['c', 2500], ['d', 3999]).advanceWatermarkToInfinity())
        .apply('MainWindows', Window.into<string>(FixedWindows(1000)))
        .apply('Join', ParDo(joinList(view, true)).withSideInputs(view))
        .apply(Capture.records<string>());
    },
    expected: ['0:1000 a:1,2', '1000:2000 b:1,2', '2000:3000 c:3', '3000:4000 d:3'],
  },
];
