import { statefulDoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import type { Scenario } from './scenario.js';
import { StateSpec, TimerSpec } from '../../sdk/state.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { sumFn } from '../../transforms/combiners/sum.js';
import { Flatten } from '../../transforms/flatten.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';

/**
 * Stateful DoFns with value, bag, combining and map state (KEYED_STATE_SCENARIOS, run by
 * test/semantics/keyed-state-scenarios.test.ts), set state, and state and timers after merging windows (Sessions), shared by
 * test/semantics/set-state.test.ts, test/semantics/merging-state.test.ts and the capability matrix's
 * Stateful Processing and Timers rows (cases/what.ts, cases/when.ts), so both run the same scenarios.
 * Each scenario's DoFn outputs strings; a scenario's result is one `<window id> <output>` line per
 * output, sorted (see outputLines).
 */
export interface StateScenario {
  /** What it shows; the case name in the matrix. */
  readonly name: string;
  /** Builds the pipeline; returns the probe of its outputs. */
  build(p: Pipeline): Probe<string>;
  /** The sorted `<window id> <output>` lines a correct runner produces. */
  readonly expected: readonly string[];
}

/** The probe's outputs as `<window id> <output>` lines, sorted (e.g. `100:3500 a 1,2,3`). */
export function outputLines(probe: Probe<string>): string[] {
  return probe.records.map((r) => `${r.window.id} ${r.value}`).sort();
}

type Ev = KV<string, number>;
type Op = KV<string, string>;
const events = <T>() => TestStream.create<KV<string, T>>();
const sorted = (xs: readonly (string | number)[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(',');

// ---------------------------------------------------------------------------------------------
// Value, bag, combining and map state

/** `<key>: <outputs in arrival order, joined by ' | '>` per key (keys sorted). */
function perKeyInOrder(probe: Probe<KV<string, unknown>>): string[] {
  const keys = [...new Set(probe.values().map((v) => v.key))].sort();
  return keys.map((k) => `${k}: ${probe.values().filter((v) => v.key === k).map((v) => String(v.value)).join(' | ')}`);
}

/** A running count per key in value state. */
const runningCount = statefulDoFn({
  state: { n: StateSpec.value<number>() },
  process(e: Ev, ctx) {
    const n = (ctx.state.n.read() ?? 0) + 1;
    ctx.state.n.write(n);
    ctx.output(kv(e.key, n));
  },
});

/** Bag, combining and map state side by side: `<bag size>/<sum>/<map entries>` after each element. */
const threeStates = statefulDoFn({
  state: { seen: StateSpec.bag<number>(), total: StateSpec.combining(sumFn()), last: StateSpec.map<string, number>() },
  process(e: Ev, ctx) {
    ctx.state.seen.add(e.value);
    ctx.state.total.add(e.value);
    ctx.state.last.put('v', e.value);
    ctx.output(kv(e.key, `${ctx.state.seen.read().length}/${ctx.state.total.read()}/${ctx.state.last.entries().length}`));
  },
});

/** Map state counting colours per element key (`add:<colour>`, `del:<colour>`); outputs the sorted entries. */
const colours = statefulDoFn({
  state: { byColour: StateSpec.map<string, number>() },
  process(e: Op, ctx) {
    const [op, colour] = e.value.split(':') as [string, string];
    if (op === 'del') ctx.state.byColour.remove(colour);
    else ctx.state.byColour.put(colour, (ctx.state.byColour.get(colour) ?? 0) + 1);
    const entries = [...ctx.state.byColour.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    ctx.output(kv(e.key, entries.map(([c, n]) => `${c}=${n}`).join(' ')));
  },
});

export const KEYED_STATE_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'value state: a running count per key',
    build: (p): Probe<KV<string, number>> =>
      p
        .apply(events<number>().addElements([kv('a', 0), 1], [kv('b', 0), 2], [kv('a', 0), 3]).advanceWatermarkTo(10).addElements([kv('a', 0), 11], [kv('b', 0), 12]).advanceWatermarkToInfinity())
        .apply('Counter', ParDo(runningCount))
        .apply(Capture.records<KV<string, number>>()),
    lines: perKeyInOrder,
    expected: ['a: 1 | 2 | 3', 'b: 1 | 2'],
  },
  {
    name: 'bag, combining and map state are scoped to key and window',
    build: (p): Probe<KV<string, string>> =>
      p
        .apply(events<number>().addElements([kv('a', 1), 100], [kv('a', 2), 200], [kv('b', 5), 300]).advanceWatermarkTo(500).addElements([kv('a', 4), 1100]).advanceWatermarkToInfinity())
        .apply(Window.into(FixedWindows(1000)))
        .apply('State', ParDo(threeStates))
        .apply(Capture.records<KV<string, string>>()),
    lines: (out: Probe<KV<string, string>>) => out.lines({ sorted: true }),
    expected: [
      '[0,1000) UNKNOWN #0 last {"key":"a","value":"1/1/1"}',
      '[0,1000) UNKNOWN #0 last {"key":"a","value":"2/3/1"}',
      '[0,1000) UNKNOWN #0 last {"key":"b","value":"1/5/1"}',
      '[1000,2000) UNKNOWN #0 last {"key":"a","value":"1/4/1"}',
    ],
  },
  {
    name: 'map state with several keys per element key: put, overwrite, remove, entries',
    build: (p): Probe<KV<string, string>> =>
      p
        .apply(
          events<string>()
            .addElements([kv('a', 'add:red'), 1], [kv('a', 'add:blue'), 2], [kv('b', 'add:red'), 3], [kv('a', 'add:red'), 4])
            .advanceWatermarkTo(10)
            .addElements([kv('a', 'del:blue'), 11], [kv('b', 'add:green'), 12])
            .advanceWatermarkToInfinity(),
        )
        .apply('Colours', ParDo(colours))
        .apply(Capture.records<KV<string, string>>()),
    lines: perKeyInOrder,
    expected: ['a: red=1 | blue=1 red=1 | blue=1 red=2 | red=2', 'b: red=1 | green=1 red=1'],
  },
];

// ---------------------------------------------------------------------------------------------
// SetState

export const SET_STATE_SCENARIOS: readonly StateScenario[] = [
  {
    name: 'set state: first sightings per key (add, contains), read in the order first added',
    build(p) {
      const fn = statefulDoFn({
        state: { seen: StateSpec.set<string>() },
        process(e: Op, ctx) {
          if (ctx.state.seen.contains(e.value)) return;
          ctx.state.seen.add(e.value);
          ctx.output(`${e.key} new ${e.value} -> ${ctx.state.seen.read().join(',')}`);
        },
      });
      return p
        .apply(events<string>().addElements([kv('a', 'x'), 1], [kv('a', 'y'), 2], [kv('a', 'x'), 3], [kv('b', 'x'), 4], [kv('a', 'y'), 5], [kv('b', 'x'), 6], [kv('a', 'z'), 7]).advanceWatermarkToInfinity())
        .apply('FirstSightings', ParDo(fn))
        .apply(Capture.records<string>());
    },
    expected: ['global a new x -> x', 'global a new y -> x,y', 'global a new z -> x,y,z', 'global b new x -> x'],
  },
  {
    name: "set state: elements are equal as state keys are (1 and '1' differ, equal objects and 0 / -0 are one element)",
    build(p) {
      const fn = statefulDoFn({
        state: { seen: StateSpec.set<unknown>() },
        timers: { report: TimerSpec.eventTime() },
        process(e: KV<string, unknown>, ctx) {
          ctx.state.seen.add(e.value);
          ctx.timers.report.set(ctx.window.maxTimestamp);
        },
        onTimer: {
          report(ctx) {
            ctx.output(`${String(ctx.key)} ${JSON.stringify(ctx.state.seen.read())} has '1': ${ctx.state.seen.contains('1')}, has 2: ${ctx.state.seen.contains(2)}`);
          },
        },
      });
      return p
        .apply(
          events<unknown>()
            .addElements([kv('k', 1), 1], [kv('k', '1'), 2], [kv('k', 1), 3], [kv('k', { id: 1, tag: 'a' }), 4], [kv('k', { id: 1, tag: 'a' }), 5])
            .addElements([kv('k', [1, 2]), 6], [kv('k', [1, 2]), 7], [kv('k', 0), 8], [kv('k', -0), 9], [kv('k', '1'), 10])
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into<KV<string, unknown>>(FixedWindows(1000)))
        .apply('Distinct', ParDo(fn))
        .apply(Capture.records<string>());
    },
    expected: [`0:1000 k [1,"1",{"id":1,"tag":"a"},[1,2],0] has '1': true, has 2: false`],
  },
  {
    name: 'set state: remove (also of an absent element), clear and isEmpty, scoped to key and window',
    build(p) {
      const fn = statefulDoFn({
        state: { s: StateSpec.set<string>() },
        process(e: Op, ctx) {
          const [op, x] = e.value.split(':') as [string, string | undefined];
          if (op === 'add') ctx.state.s.add(x!);
          else if (op === 'rm') ctx.state.s.remove(x!);
          else ctx.state.s.clear();
          ctx.output(`${e.key} ${e.value} -> [${ctx.state.s.read().join(',')}] empty=${ctx.state.s.isEmpty()}`);
        },
      });
      return p
        .apply(
          events<string>()
            .addElements([kv('a', 'add:x'), 100], [kv('a', 'add:y'), 200], [kv('a', 'rm:x'), 300], [kv('a', 'rm:q'), 350], [kv('b', 'add:x'), 400])
            .addElements([kv('a', 'clear'), 500], [kv('a', 'add:z'), 600], [kv('a', 'add:x'), 1100])
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into<Op>(FixedWindows(1000)))
        .apply('SetOps', ParDo(fn))
        .apply(Capture.records<string>());
    },
    expected: [
      '0:1000 a add:x -> [x] empty=false',
      '0:1000 a add:y -> [x,y] empty=false',
      '0:1000 a add:z -> [z] empty=false',
      '0:1000 a clear -> [] empty=true',
      '0:1000 a rm:q -> [y] empty=false',
      '0:1000 a rm:x -> [y] empty=false',
      '0:1000 b add:x -> [x] empty=false',
      '1000:2000 a add:x -> [x] empty=false',
    ],
  },
  {
    name: 'set state: distinct values per key and window, reported by an event-time timer at the window end',
    build(p) {
      const fn = statefulDoFn({
        state: { distinct: StateSpec.set<number>() },
        timers: { report: TimerSpec.eventTime() },
        process(e: Ev, ctx) {
          ctx.state.distinct.add(e.value);
          ctx.timers.report.set(ctx.window.maxTimestamp);
        },
        onTimer: {
          report(ctx) {
            ctx.output(`${String(ctx.key)} distinct ${sorted(ctx.state.distinct.read())}`);
          },
        },
      });
      return p
        .apply(
          events<number>()
            .addElements([kv('a', 1), 100], [kv('a', 2), 200], [kv('a', 1), 300], [kv('b', 1), 400], [kv('a', 1), 1100], [kv('a', 3), 1200])
            .advanceWatermarkTo(800)
            .addElements([kv('a', 2), 900], [kv('a', 3), 1900])
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into<Ev>(FixedWindows(1000)))
        .apply('Distinct', ParDo(fn))
        .apply(Capture.records<string>());
    },
    expected: ['0:1000 a distinct 1,2', '0:1000 b distinct 1', '1000:2000 a distinct 1,3'],
  },
  {
    name: 'set state: an element it cannot hold (a bigint) goes to the dead-letter output; the run goes on',
    build(p) {
      const fn = statefulDoFn({
        state: { s: StateSpec.set<unknown>() },
        process(e: KV<string, unknown>, ctx) {
          ctx.state.s.add(e.value);
          ctx.output(`${e.key} size ${ctx.state.s.read().length}`);
        },
      });
      const out = p
        .apply(events<unknown>().addElements([kv('a', 1), 1], [kv('a', 10n), 2], [kv('a', 2), 3]).advanceWatermarkToInfinity())
        .apply('Collect', ParDo(fn).withDeadLetters());
      const dead = out.deadLetters().apply(MapElements((d) => `dead ${d.step}: ${d.message}`));
      return p.apply(Flatten(out, dead)).apply(Capture.records<string>());
    },
    expected: ['global a size 1', 'global a size 2', "global dead Collect: set state 's' cannot hold a bigint: elements must be strings, numbers, booleans, null, arrays or plain objects"],
  },
];

// ---------------------------------------------------------------------------------------------
// State in merging windows

/** Sessions with a 1.5 s gap: elements at 100 and 2000 start two sessions, one at 1000 joins them. */
const bridged = (first: [Ev, number], second: [Ev, number], bridge: [Ev, number]) =>
  events<number>().addElements(first, second, bridge).advanceWatermarkToInfinity();

export const MERGING_STATE_SCENARIOS: readonly StateScenario[] = [
  {
    name: 'state in merging windows (Sessions): a bag merges as the bags one after another when an element joins two sessions',
    build(p) {
      const fn = statefulDoFn({
        state: { seen: StateSpec.bag<number>() },
        process(e: Ev, ctx) {
          ctx.state.seen.add(e.value);
          ctx.output(`${e.key} ${ctx.state.seen.read().join(',')}`);
        },
      });
      return p
        .apply(bridged([kv('a', 1), 100], [kv('a', 2), 2000], [kv('a', 3), 1000]))
        .apply(Window.into<Ev>(Sessions(1500)))
        .apply('Bag', ParDo(fn))
        .apply(Capture.records<string>());
    },
    expected: ['100:1600 a 1', '100:3500 a 1,2,3', '2000:3500 a 2'],
  },
  {
    name: 'state in merging windows: combining state merges its accumulators; value state takes the latest-ending session’s value, not the last written',
    build(p) {
      const fn = statefulDoFn({
        state: { sum: StateSpec.combining(sumFn()), last: StateSpec.value<number>() },
        process(e: Ev, ctx) {
          ctx.state.sum.add(e.value);
          ctx.output(`${e.key} sum=${ctx.state.sum.read()} last=${ctx.state.last.read() ?? 'none'}`);
          ctx.state.last.write(e.value);
        },
      });
      return p
        .apply(bridged([kv('a', 20), 2000], [kv('a', 10), 100], [kv('a', 5), 1000]))
        .apply(Window.into<Ev>(Sessions(1500)))
        .apply('SumAndLast', ParDo(fn))
        .apply(Capture.records<string>());
    },
    expected: ['100:1600 a sum=10 last=none', '100:3500 a sum=35 last=20', '2000:3500 a sum=20 last=none'],
  },
  {
    name: 'state in merging windows: set and map state merge as unions; a map key both sessions hold keeps the later session’s entry; keys merge apart',
    build(p) {
      const fn = statefulDoFn({
        state: { colours: StateSpec.set<string>(), latest: StateSpec.map<string, number>() },
        process(e: Op, ctx) {
          const [colour, n] = e.value.split('=') as [string, string];
          ctx.state.colours.add(colour);
          ctx.state.latest.put(colour, Number(n));
          const entries = ctx.state.latest.entries().map(([c, v]) => `${c}:${v}`);
          ctx.output(`${e.key} set=${sorted(ctx.state.colours.read())} map=${sorted(entries)}`);
        },
      });
      return p
        .apply(
          events<string>()
            .addElements([kv('a', 'red=1'), 100], [kv('a', 'blue=2'), 200], [kv('a', 'red=3'), 2000], [kv('a', 'green=4'), 2100])
            .addElements([kv('b', 'red=7'), 1000], [kv('a', 'white=9'), 1000])
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into<Op>(Sessions(1500)))
        .apply('Colours', ParDo(fn))
        .apply(Capture.records<string>());
    },
    expected: [
      '1000:2500 b set=red map=red:7',
      '100:1600 a set=red map=red:1',
      '100:1700 a set=blue,red map=blue:2,red:1',
      '100:3600 a set=blue,green,red,white map=blue:2,green:4,red:3,white:9',
      '2000:3500 a set=red map=red:3',
      '2000:3600 a set=green,red map=green:4,red:3',
    ],
  },
  {
    name: 'state in merging windows, edge cases: an element inside a session leaves it as it is; sessions that only touch stay apart',
    build(p) {
      const fn = statefulDoFn({
        state: { seen: StateSpec.bag<number>() },
        process(e: Ev, ctx) {
          ctx.state.seen.add(e.value);
          ctx.output(`${e.key} ${ctx.state.seen.read().join(',')}`);
        },
      });
      return p
        .apply(events<number>().addElements([kv('a', 1), 0], [kv('a', 2), 500], [kv('a', 3), 200], [kv('a', 4), 1500], [kv('b', 5), 600]).advanceWatermarkToInfinity())
        .apply(Window.into<Ev>(Sessions(1000)))
        .apply('Bag', ParDo(fn))
        .apply(Capture.records<string>());
    },
    // [0,1000) + [500,1500) = [0,1500); [200,1200) lies inside it; [1500,2500) touches it at 1500 only
    expected: ['0:1000 a 1', '0:1500 a 1,2', '0:1500 a 1,2,3', '1500:2500 a 4', '600:1600 b 5'],
  },
  {
    name: 'state in merging windows, late data: an element within the allowed lateness joins a session past its end; after that the session’s state is gone',
    build(p) {
      const fn = statefulDoFn({
        state: { seen: StateSpec.bag<number>() },
        process(e: Ev, ctx) {
          ctx.state.seen.add(e.value);
          ctx.output(`${e.key} ${ctx.state.seen.read().join(',')}`);
        },
      });
      return p
        .apply(
          events<number>()
            .addElements([kv('a', 1), 0])
            .advanceWatermarkTo(1500) // [0,1000) has ended; its state lives until 999 + 2000
            .advanceProcessingTime(1000)
            .addElements([kv('a', 2), 800]) // [800,1800) joins it
            .advanceWatermarkTo(5000) // [0,1800) is gone (999 + ... 1799 + 2000 < 5000)
            .advanceProcessingTime(1000)
            .addElements([kv('a', 3), 4500], [kv('a', 4), 1000]) // 1000: too late ([1000,2000) expired), dropped
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into<Ev>(Sessions(1000)).withAllowedLateness(2000))
        .apply('Bag', ParDo(fn))
        .apply(Capture.records<string>());
    },
    expected: ['0:1000 a 1', '0:1800 a 1,2', '4500:5500 a 3'],
  },
];

// ---------------------------------------------------------------------------------------------
// Timers in merging windows

/** Buffers values in a bag; flushes it from event-time timer `flush`, naming the firing time. */
const flushing = (setTimer: (e: Ev, ctx: { window: { maxTimestamp: number }; timestamp: number; timers: { flush: { set(t: number): void; clear(): void } } }) => void) =>
  statefulDoFn({
    state: { buf: StateSpec.bag<number>() },
    timers: { flush: TimerSpec.eventTime() },
    process(e: Ev, ctx) {
      ctx.state.buf.add(e.value);
      setTimer(e, ctx);
    },
    onTimer: {
      flush(ctx) {
        ctx.output(`${String(ctx.key)} flush@${ctx.timestamp} ${ctx.state.buf.read().join(',')}`);
        ctx.state.buf.clear();
      },
    },
  });

export const MERGING_TIMER_SCENARIOS: readonly StateScenario[] = [
  {
    name: 'an event-time timer in merging windows (Sessions) set to the window end fires once, at the end of the merged session',
    build(p) {
      return p
        .apply(bridged([kv('a', 1), 100], [kv('a', 2), 2000], [kv('a', 3), 1000]))
        .apply(Window.into<Ev>(Sessions(1500)))
        .apply('Buffer', ParDo(flushing((_e, ctx) => ctx.timers.flush.set(ctx.window.maxTimestamp))))
        .apply(Capture.records<string>());
    },
    // 100 and 2000 start two sessions; 1000 joins them into [100, 3500): one flush of all three
    expected: ['100:3500 a flush@3499 1,2,3'],
  },
  {
    name: 'timers set to different times in sessions that merge: the merged session’s timer keeps the latest time',
    build(p) {
      return p
        .apply(bridged([kv('a', 1), 100], [kv('a', 2), 2000], [kv('a', 0), 1000]))
        .apply(Window.into<Ev>(Sessions(1500)))
        .apply('Buffer', ParDo(flushing((e, ctx) => e.value !== 0 && ctx.timers.flush.set(ctx.timestamp + 100))))
        .apply(Capture.records<string>());
    },
    // timers at 200 ([100,1600)) and 2100 ([2000,3500)); the element at 1000 sets none
    expected: ['100:3500 a flush@2100 1,2,0'],
  },
  {
    name: 'a timer cleared in one session stays cleared when that session merges with another',
    build(p) {
      return p
        .apply(events<number>().addElements([kv('a', 1), 100], [kv('a', 0), 150], [kv('a', 2), 3000], [kv('a', 9), 1600]).advanceWatermarkToInfinity())
        .apply(Window.into<Ev>(Sessions(1500)))
        .apply(
          'Buffer',
          ParDo(
            flushing((e, ctx) => {
              if (e.value === 0) ctx.timers.flush.clear();
              else if (e.value !== 9) ctx.timers.flush.set(ctx.window.maxTimestamp);
            }),
          ),
        )
        .apply(Capture.records<string>());
    },
    // [100,1650) has its timer cleared; [3000,4500) sets 4499; 1600 joins them into [100,4500)
    expected: ['100:4500 a flush@4499 1,0,2,9'],
  },
  {
    name: 'a late element joins a session whose end-of-window timer has fired: the timer fires again for the merged session',
    build(p) {
      return p
        .apply(
          events<number>()
            .addElements([kv('a', 1), 0])
            .advanceWatermarkTo(1500) // [0,1000) flushes
            .advanceProcessingTime(1000)
            .addElements([kv('a', 2), 800]) // late, within the allowed lateness: [0,1800)
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into<Ev>(Sessions(1000)).withAllowedLateness(5000))
        .apply('Buffer', ParDo(flushing((_e, ctx) => ctx.timers.flush.set(ctx.window.maxTimestamp))))
        .apply(Capture.records<string>());
    },
    expected: ['0:1000 a flush@999 1', '0:1800 a flush@1799 2'],
  },
  {
    name: 'processing-time timers in sessions that merge move to the merged session and fire once',
    build(p) {
      const fn = statefulDoFn({
        state: { buf: StateSpec.bag<number>() },
        timers: { ping: TimerSpec.processingTime() },
        process(e: Ev, ctx) {
          ctx.state.buf.add(e.value);
          ctx.timers.ping.offset(1000);
        },
        onTimer: {
          ping(ctx) {
            ctx.output(`${String(ctx.key)} ping ${ctx.state.buf.read().join(',')}`);
          },
        },
      });
      return p
        .apply(
          events<number>()
            .addElements([kv('a', 1), 100])
            .advanceProcessingTime(300)
            .addElements([kv('a', 2), 2000])
            .advanceProcessingTime(300)
            .addElements([kv('a', 3), 1000])
            .advanceProcessingTime(3000)
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into<Ev>(Sessions(1500)))
        .apply('Ping', ParDo(fn))
        .apply(Capture.records<string>());
    },
    expected: ['100:3500 a ping 1,2,3'],
  },
];
