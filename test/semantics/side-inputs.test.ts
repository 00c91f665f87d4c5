import { describe, expect, it } from 'vitest';
import type { DoFn } from '../../sdk/dofn.js';
import { UserCodeError } from '../../sdk/errors.js';
import { kv } from '../../sdk/kv.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { View, type PCollectionView } from '../../sdk/side-input.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import { GLOBAL_WINDOW } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import type { WindowFn } from '../../sdk/windows/window-fn.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { Create } from '../../transforms/create.js';
import { Filter } from '../../transforms/filter.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/** A ParDo that outputs `[element, what the DoFn saw in the side input]`. */
function withSide<I, S>(view: PCollectionView<S>, show: (s: S) => unknown = (s) => s) {
  const fn: DoFn<I, [I, unknown]> = {
    process(e, ctx) {
      ctx.output([e, show(ctx.sideInput(view))]);
    },
  };
  return ParDo(fn).withSideInputs(view);
}

const mainStream = () => TestStream.create<string>().addElements(['m1', 100], ['m2', 200]).advanceWatermarkTo(1000).addElements(['m3', 1500]);

const sortedMap = (m: ReadonlyMap<string, unknown>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('side inputs on $label', ({ options }) => {
  describe('global side inputs from Create into a TestStream main input', () => {
    it('View.asSingleton', async () => {
      const { out } = await runWith(options, (p) => {
        const view = View.asSingleton(p.apply('Side', Create([42])));
        return p.apply(mainStream()).apply('Join', withSide<string, number>(view)).apply(Capture.records<[string, unknown]>());
      });
      expect(out.values()).toEqual([
        ['m1', 42],
        ['m2', 42],
        ['m3', 42],
      ]);
      // main elements keep their timestamps and windows
      expect(out.records.map((r) => [r.timestamp, r.window.kind])).toEqual([
        [100, 'global'],
        [200, 'global'],
        [1500, 'global'],
      ]);
    });

    it('View.asSingleton of an empty input uses the default value', async () => {
      const { out } = await runWith(options, (p) => {
        const view = View.asSingleton(p.apply('Side', Create<number>([])), { defaultValue: -1 });
        return p.apply(mainStream()).apply('Join', withSide<string, number>(view)).apply(Capture.records<[string, unknown]>());
      });
      expect(out.values()).toEqual([
        ['m1', -1],
        ['m2', -1],
        ['m3', -1],
      ]);
    });

    it('View.asSingleton of an empty input without a default fails the run naming the step and view', async () => {
      const run = runWith(options, (p) => {
        const view = View.asSingleton(p.apply('Side', Create<number>([])));
        return p.apply(mainStream()).apply('Join', withSide<string, number>(view)).apply(Capture.records<[string, unknown]>());
      });
      await expect(run).rejects.toBeInstanceOf(UserCodeError);
      await expect(run).rejects.toMatchObject({ step: 'Join', element: '"m1"' });
      await expect(run).rejects.toThrow(/step 'Join'.*asSingleton\(Side\.main\) is empty for this window and has no defaultValue/);
    });

    it('View.asSingleton of two values fails the run (even with a default)', async () => {
      const run = runWith(options, (p) => {
        const view = View.asSingleton(p.apply('Side', Create([1, 2])), { defaultValue: 0 });
        return p.apply(mainStream()).apply('Join', withSide<string, number>(view)).apply(Capture.records<[string, unknown]>());
      });
      await expect(run).rejects.toBeInstanceOf(UserCodeError);
      await expect(run).rejects.toThrow(/step 'Join'.*asSingleton\(Side\.main\) holds 2 values for this window/);
    });

    it('View.asList', async () => {
      const { out } = await runWith(options, (p) => {
        const view = View.asList(p.apply('Side', Create(['x', 'y', 'z'])));
        return p.apply(mainStream()).apply('Join', withSide<string, readonly string[]>(view)).apply(Capture.records<[string, unknown]>());
      });
      expect(out.values()).toEqual([
        ['m1', ['x', 'y', 'z']],
        ['m2', ['x', 'y', 'z']],
        ['m3', ['x', 'y', 'z']],
      ]);
    });

    it('View.asList of an empty input is an empty list', async () => {
      const { out } = await runWith(options, (p) => {
        const view = View.asList(p.apply('Side', Create<string>([])));
        return p.apply(mainStream()).apply('Join', withSide<string, readonly string[]>(view)).apply(Capture.records<[string, unknown]>());
      });
      expect(out.values().map((v) => v[1])).toEqual([[], [], []]);
    });

    it('View.asMap', async () => {
      const { out } = await runWith(options, (p) => {
        const view = View.asMap(p.apply('Side', Create([kv('m1', 'one'), kv('m3', 'three'), kv('x', 'unused')])));
        const fn: DoFn<string, [string, string | undefined, number]> = {
          process(e, ctx) {
            const m = ctx.sideInput(view);
            ctx.output([e, m.get(e), m.size]);
          },
        };
        return p.apply(mainStream()).apply('Join', ParDo(fn).withSideInputs(view)).apply(Capture.records<[string, string | undefined, number]>());
      });
      expect(out.values()).toEqual([
        ['m1', 'one', 3],
        ['m2', undefined, 3],
        ['m3', 'three', 3],
      ]);
    });

    it('View.asMap with a duplicate key fails the run', async () => {
      const run = runWith(options, (p) => {
        const view = View.asMap(p.apply('Side', Create([kv('k', 1), kv('k', 2)])));
        return p.apply(mainStream()).apply('Join', withSide<string, ReadonlyMap<string, number>>(view, sortedMap)).apply(Capture.records<[string, unknown]>());
      });
      await expect(run).rejects.toBeInstanceOf(UserCodeError);
      await expect(run).rejects.toThrow(/step 'Join'.*has key "k" twice; use View\.asMultimap/);
    });

    it('View.asMultimap', async () => {
      const { out } = await runWith(options, (p) => {
        const view = View.asMultimap(p.apply('Side', Create([kv('a', 1), kv('b', 2), kv('a', 3)])));
        return p
          .apply(mainStream())
          .apply('Join', withSide<string, ReadonlyMap<string, readonly number[]>>(view, sortedMap))
          .apply(Capture.records<[string, unknown]>());
      });
      const expected = [
        ['a', [1, 3]],
        ['b', [2]],
      ];
      expect(out.values()).toEqual([
        ['m1', expected],
        ['m2', expected],
        ['m3', expected],
      ]);
    });

    it('a global side input is seen from every window of a windowed main input', async () => {
      const { out } = await runWith(options, (p) => {
        const view = View.asSingleton(p.apply('Side', Create(['g'])));
        return p
          .apply(mainStream())
          .apply(Window.into(FixedWindows(1000)))
          .apply('Join', withSide<string, string>(view))
          .apply(Capture.records<[string, unknown]>());
      });
      expect(out.records.map((r) => `${r.window.id} ${JSON.stringify(r.value)}`)).toEqual(['0:1000 ["m1","g"]', '0:1000 ["m2","g"]', '1000:2000 ["m3","g"]']);
    });
  });

  describe('triggered side inputs (several panes per side window)', () => {
    type Ev = { readonly main?: string; readonly side?: number };
    /** side 5, then m1, then side 7, then m2; each step its own batch. */
    const script = () =>
      TestStream.create<Ev>()
        .addElements([{ side: 5 }, 1])
        .advanceWatermarkTo(0)
        .addElements([{ main: 'm1' }, 2])
        .advanceWatermarkTo(0)
        .addElements([{ side: 7 }, 3])
        .advanceWatermarkTo(0)
        .addElements([{ main: 'm2' }, 4]);
    const build = <S>(p: Pipeline, configure: (w: ReturnType<typeof Window.configure<number>>) => ReturnType<typeof Window.configure<number>>, view: (side: PCollection<number>) => PCollectionView<S>) => {
      const input = p.apply(script());
      const side = input
        .apply('SideOnly', Filter((e: Ev) => e.side !== undefined))
        .apply('SideValue', MapElements((e: Ev) => e.side!))
        .apply('SideTrigger', configure(Window.configure<number>().triggering(Repeatedly(AfterCount(1)))))
        .apply('Total', Sum.globally().withoutDefaults());
      const v = view(side);
      return input
        .apply('MainOnly', Filter((e: Ev) => e.main !== undefined))
        .apply('MainValue', MapElements((e: Ev) => e.main!))
        .apply('Join', withSide<string, S>(v))
        .apply(Capture.records<[string, unknown]>());
    };

    it('a side window is ready at its first pane; with retractions a singleton follows the latest pane', async () => {
      const { out } = await runWith(options, (p) =>
        build(
          p,
          (w) => w.accumulatingAndRetractingFiredPanes(),
          (side) => View.asSingleton(side),
        ),
      );
      expect(out.values()).toEqual([
        ['m1', 5],
        ['m2', 12],
      ]);
    });

    it('what an element saw does not change when later panes arrive (View.asList, discarding panes)', async () => {
      const { out } = await runWith(options, (p) =>
        build(
          p,
          (w) => w.discardingFiredPanes(),
          (side) => View.asList(side),
        ),
      );
      expect(out.values()).toEqual([
        ['m1', [5]],
        ['m2', [5, 7]],
      ]);
    });
  });

  describe('windowed side inputs', () => {
    /** Per-window sums of Create.timestamped data, as a singleton view per FixedWindows(size) window. */
    const windowedSums = (p: Pipeline, size: number, data: [number, number][]) =>
      View.asSingleton(
        p
          .apply('SideData', Create.timestamped(data.map(([value, timestamp]) => ({ value, timestamp }))))
          .apply('SideWindows', Window.into<number>(FixedWindows(size)))
          .apply('Threshold', Sum.globally().withoutDefaults()),
        { defaultValue: 0 },
      );

    it('main elements see the value of their own window (side in the same FixedWindows)', async () => {
      const { out } = await runWith(options, (p) => {
        const view = windowedSums(p, 1000, [
          [10, 100],
          [20, 900],
          [5, 1100],
          [1, 3500],
        ]);
        return p
          .apply(
            TestStream.create<string>()
              .addElements(['m1', 500], ['m2', 1999])
              .advanceWatermarkTo(2000)
              .addElements(['m3', 2500], ['m4', 3000])
              .advanceWatermarkToInfinity(),
          )
          .apply(Window.into(FixedWindows(1000)))
          .apply('Join', withSide<string, number>(view))
          .apply(Capture.records<[string, unknown]>());
      });
      // m3's window [2000,3000) has no side data: the default applies. (Order across windows is not
      // fixed: m3 waits for the side watermark, m4 only for its window's pane.)
      expect(out.records.map((r) => `${r.window.id} ${JSON.stringify(r.value)}`).sort()).toEqual([
        '0:1000 ["m1",30]',
        '1000:2000 ["m2",5]',
        '2000:3000 ["m3",0]',
        '3000:4000 ["m4",1]',
      ]);
    });

    it('a main window maps to the side window containing its end (side windows larger than main windows)', async () => {
      const { out } = await runWith(options, (p) => {
        const view = windowedSums(p, 2000, [
          [1, 100],
          [2, 1900],
          [4, 2000],
          [8, 5999],
        ]);
        return p
          .apply(TestStream.create<string>().addElements(['m1', 10], ['m2', 1500], ['m3', 2100], ['m4', 3999], ['m5', 4000]).advanceWatermarkToInfinity())
          .apply(Window.into(FixedWindows(1000)))
          .apply('Join', withSide<string, number>(view))
          .apply(Capture.records<[string, unknown]>());
      });
      expect(out.values()).toEqual([
        ['m1', 3],
        ['m2', 3],
        ['m3', 4],
        ['m4', 4],
        ['m5', 8],
      ]);
    });

    it('View.asList of a windowed side input lists only the side window of the main element', async () => {
      const { out } = await runWith(options, (p) => {
        const side = p
          .apply('SideData', Create.timestamped([{ value: 'a', timestamp: 10 }, { value: 'b', timestamp: 1010 }, { value: 'c', timestamp: 20 }]))
          .apply('SideWindows', Window.into<string>(FixedWindows(1000)));
        const view = View.asList(side);
        return p
          .apply(TestStream.create<string>().addElements(['m1', 999], ['m2', 1000], ['m3', 2000]))
          .apply(Window.into(FixedWindows(1000)))
          .apply('Join', withSide<string, readonly string[]>(view, (l) => [...l].sort()))
          .apply(Capture.records<[string, unknown]>());
      });
      expect(out.values()).toEqual([
        ['m1', ['a', 'c']],
        ['m2', ['b']],
        ['m3', []],
      ]);
    });

    it('a main element that arrives before its side data is held back and processed with the right value', async () => {
      type Ev = { readonly main?: string; readonly side?: number };
      const { out, result } = await runWith(options, (p) => {
        const input = p.apply(
          TestStream.create<Ev>()
            .addElements([{ main: 'm1' }, 500]) // window [0,1000): its side value is not known yet
            .advanceProcessingTime(1000)
            .addElements([{ side: 10 }, 100], [{ side: 20 }, 900])
            .advanceWatermarkTo(1000) // the side sum for [0,1000) fires ON_TIME: m1 can go
            .addElements([{ main: 'm2' }, 1500], [{ side: 7 }, 1200])
            .advanceWatermarkTo(2000)
            .addElements([{ main: 'm3' }, 2500]) // [2000,3000) never gets side data: waits for the side watermark
            .advanceWatermarkToInfinity(),
        );
        const side: PCollection<number> = input
          .apply('SideOnly', Filter((e: Ev) => e.side !== undefined))
          .apply('SideValue', MapElements((e: Ev) => e.side!))
          .apply('SideWindows', Window.into<number>(FixedWindows(1000)))
          .apply('Threshold', Sum.globally().withoutDefaults());
        const view = View.asSingleton(side, { defaultValue: 0 });
        return input
          .apply('MainOnly', Filter((e: Ev) => e.main !== undefined))
          .apply('MainValue', MapElements((e: Ev) => e.main!))
          .apply('MainWindows', Window.into<string>(FixedWindows(1000)))
          .apply('Join', withSide<string, number>(view))
          .apply(Capture.records<[string, unknown]>());
      });
      expect(out.values()).toEqual([
        ['m1', 30],
        ['m2', 7],
        ['m3', 0],
      ]);
      // m1 arrived at processing time 0 but could only be processed once its side data came, at 1000
      expect(out.records[0]!.emittedAt).toBe(1000);
      expect(out.records[0]!.timestamp).toBe(500);
      expect(result.metrics['Join']?.elementsIn).toBe(3);
      expect(result.metrics['Join']?.elementsOut).toBe(3);
    });
  });
  describe('main elements held back for a side input', () => {
    /** The global window, counting how often the runner maps a main window to its side window. */
    function countingGlobal(): WindowFn<unknown> & { lookups: number } {
      const fn = {
        name: 'CountingGlobal',
        isMerging: false,
        lookups: 0,
        assignWindows: () => [GLOBAL_WINDOW],
        sideInputWindow: () => {
          fn.lookups++;
          return GLOBAL_WINDOW;
        },
      };
      return fn;
    }

    it('holding and releasing is linear: each held element is looked at a bounded number of times, not once per side-input event', async () => {
      const N = 2000;
      const M = 50;
      type Ev = { readonly main?: number; readonly a?: number; readonly b?: number };
      const fnA = countingGlobal();
      const fnB = countingGlobal();
      const { out } = await runWith(options, (p) => {
        const input = p.apply(
          TestStream.create<Ev>()
            .addElements(...Array.from({ length: N }, (_, i) => ({ value: { main: i }, timestamp: i })))
            .advanceWatermarkTo(0) // the main elements are held: no side window is ready
            .addElements(...Array.from({ length: 2 * M }, (_, i) => ({ value: i % 2 === 0 ? { a: i } : { b: i }, timestamp: i }))),
        );
        const side = (name: string, pick: (e: Ev) => number | undefined, fn: WindowFn<unknown>) =>
          View.asList(
            input
              .apply(`${name}Only`, Filter((e: Ev) => pick(e) !== undefined))
              .apply(`${name}Value`, MapElements((e: Ev) => pick(e)!))
              .apply(`${name}Window`, Window.into<number>(fn)),
          );
        const a = side('A', (e) => e.a, fnA);
        const b = side('B', (e) => e.b, fnB);
        const fn: DoFn<number, [number, number, number]> = {
          process(m, ctx) {
            ctx.output([m, ctx.sideInput(a).length, ctx.sideInput(b).length]);
          },
        };
        return input
          .apply('MainOnly', Filter((e: Ev) => e.main !== undefined))
          .apply('MainValue', MapElements((e: Ev) => e.main!))
          .apply('Join', ParDo(fn).withSideInputs(a, b))
          .apply(Capture.records<[number, number, number]>());
      });
      // released once both side inputs end, in arrival order, each seeing every side element
      expect(out.values()).toEqual(Array.from({ length: N }, (_, i) => [i, M, M]));
      // once when held, once when processed (plus a few); re-examining every held element on each of
      // the 2M side elements would be 2M * N lookups
      expect(fnA.lookups).toBeLessThanOrEqual(3 * N);
      expect(fnB.lookups).toBeLessThanOrEqual(3 * N);
    });
  });
});
