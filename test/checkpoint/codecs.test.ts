import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codecForTable, codecNamed } from '../../runners/core/checkpoint/codecs/codecs.js';
import { StateCodecError, type StateEntry } from '../../runners/core/checkpoint/codecs/state-codec.js';
import { v8Codec } from '../../runners/core/checkpoint/codecs/v8-codec.js';
import { windowStateCodec } from '../../runners/core/checkpoint/codecs/window-state-codec.js';
import { plainDataEqual, plainDataKey } from '../../runners/core/checkpoint/codecs/plain-data.js';
import { bagReducer, combineReducer, type PaneReducer } from '../../runners/core/driver/pane-reducer.js';
import { WindowDriver, type WindowState } from '../../runners/core/driver/window-driver.js';
import { InMemoryStateBackend } from '../../runners/core/state/state-backend.js';
import { VirtualClock } from '../../sdk/clock.js';
import { encodeKey, kv, type StateKey } from '../../sdk/kv.js';
import { emptyStepMetrics } from '../../sdk/metrics.js';
import { NO_FIRING } from '../../sdk/pane.js';
import { END_OF_GLOBAL_WINDOW } from '../../sdk/time.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { DefaultTrigger } from '../../sdk/triggers/default-trigger.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import { FINISHED, UNFINISHED } from '../../sdk/internal/trigger-state.js';
import type { Trigger } from '../../sdk/triggers/trigger.js';
import { intervalWindow, type BoundedWindow } from '../../sdk/window.js';
import type { AccumulationMode, TimestampCombiner, WindowingStrategy } from '../../sdk/windowing-strategy.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { GlobalWindows } from '../../sdk/windows/global-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import type { WindowFn } from '../../sdk/windows/window-fn.js';
import { meanFn } from '../../transforms/combiners/mean.js';
import { sumFn } from '../../transforms/combiners/sum.js';

/** Values the state contract allows (structured-cloneable), with the edge cases JSON loses. */
const validDate = fc.date({ noInvalidDate: true }); // isDeepStrictEqual never equals two Invalid Dates; see the test of its own
const stateValue = fc.oneof(
  fc.anything({ withMap: true, withSet: true, withBigInt: true, withTypedArray: true, withSparseArray: true, maxDepth: 3 }),
  fc.record({ at: validDate, within: fc.array(validDate, { maxLength: 2 }), byDay: fc.constant(new Map([[new Date(86_400_000), 1]])) }, { noNullPrototype: true }),
  fc.constantFrom(Infinity, -Infinity, -0, NaN, undefined, 2n ** 70n, new Date(0), new Map([['x', undefined]]), new Set([-0]), { a: undefined, b: [undefined, Infinity] }),
);
const stateKey: fc.Arbitrary<StateKey> = fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.string().map((s) => `\u0000${s}`));

/** Deep equality that tells -0 from 0, an own undefined field from a missing one, a Map from an object. */
function sameState(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}

describe('v8/v1 codec', () => {
  it('property: round-trips entries with any structured-cloneable values (Infinity, -0, NaN, undefined, bigint, Map, Set, Date, nesting)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(stateKey, fc.string(), stateValue), { maxLength: 20 }), (entries) => {
        const decoded = v8Codec.decode(v8Codec.encode(entries as StateEntry[]));
        expect(sameState(decoded, entries)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps user-state cells exactly: an undefined field stays an own field, Map cells stay Maps', () => {
    const cells = { count: undefined, seen: new Map([['a', 1]]), bag: [1, -0, Infinity] };
    const [[, , back]] = v8Codec.decode(v8Codec.encode([['k', 'global', cells]])) as [StateEntry<typeof cells>];
    expect('count' in back).toBe(true);
    expect(back.seen).toBeInstanceOf(Map);
    expect(Object.is(back.bag[1], -0)).toBe(true);
    expect(back.bag[2]).toBe(Infinity);
  });

  it('keeps an Invalid Date invalid', () => {
    const [[, , back]] = v8Codec.decode(v8Codec.encode([['k', 'w', new Date(NaN)]]));
    expect(back).toBeInstanceOf(Date);
    expect(Number.isNaN((back as Date).getTime())).toBe(true);
  });

  it('rejects bytes that are not a list of [key, namespace, value] with a StateCodecError', () => {
    expect(() => v8Codec.decode(Buffer.from('not v8 at all'))).toThrow(StateCodecError);
    expect(() => v8Codec.decode(v8Codec.encode({ a: 1 } as never))).toThrow(/not a list/);
    expect(() => v8Codec.decode(v8Codec.encode([[{}, 'w', 1]] as never))).toThrow(/entry 0/);
  });
});

// --- window-state/v1 -----------------------------------------------------------------------------

const windowPool: BoundedWindow[] = [
  intervalWindow(0, 3000),
  intervalWindow(3000, 6000),
  { kind: 'global', id: 'global', maxTimestamp: END_OF_GLOBAL_WINDOW },
  { kind: 'custom', id: 'c1', maxTimestamp: 99.5, extra: [1, 'x'] } as BoundedWindow,
];
const sharedTrig = { finished: false, data: { late: true }, subs: [FINISHED, UNFINISHED] };

/** A time field: unset, the window's maxTimestamp, or any number. */
const timeOf = (w: BoundedWindow) => fc.oneof(fc.constant(undefined), fc.constant(w.maxTimestamp), fc.double(), fc.integer());

const windowStateEntry: fc.Arbitrary<StateEntry<WindowState>> = fc
  .record({
    wi: fc.nat(windowPool.length - 1),
    freshWindow: fc.boolean(),
    key: fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.record({ a: fc.integer() }, { noNullPrototype: true }), fc.array(fc.string(), { maxLength: 2 })),
    /** The user key differs from the decoded state key (a key function, or -0). */
    otherK: fc.option(stateValue, { freq: 5 }),
    acc: fc.oneof(fc.double(), fc.integer(), stateValue, fc.constant(undefined)),
    n: fc.oneof(fc.nat(), fc.constantFrom(0, 2 ** 32 - 1, 2 ** 32, -1, 1.5, -0)),
    pane: fc.nat(1000),
    nonSpec: fc.oneof(fc.nat(1000), fc.constant(-0)),
    trig: fc.oneof(fc.constantFrom(UNFINISHED, FINISHED, sharedTrig), fc.record({ finished: fc.boolean(), data: stateValue }, { noNullPrototype: true })),
    onTime: fc.boolean(),
    closed: fc.boolean(),
    etOffsets: fc.array(fc.oneof(fc.integer({ min: -5000, max: 5000 }), fc.double()), { maxLength: 3 }),
    /** `et0` other than the earliest of `et` (a state the driver would not keep: it must still come back as it was). */
    et0Other: fc.option(fc.oneof(fc.integer(), fc.constant(undefined)), { freq: 10 }),
    pt: fc.oneof(fc.constant([] as number[]), fc.array(fc.integer(), { maxLength: 2 })),
    last: fc.oneof(fc.constant('absent' as const), fc.constant(undefined), fc.record({ value: stateValue, timestamp: fc.integer() }, { noNullPrototype: true })),
    retract: fc.oneof(fc.constant('absent' as const), fc.constant(undefined), fc.array(fc.record({ value: stateValue, timestamp: fc.integer(), window: fc.constantFrom(...windowPool) }, { noNullPrototype: true }), { maxLength: 2 })),
    extra: fc.option(fc.string(), { freq: 10 }),
  })
  .chain((r) => {
    const w = r.freshWindow ? structuredClone(windowPool[r.wi]!) : windowPool[r.wi]!;
    return fc.record({ outTs: timeOf(w), hold: timeOf(w) }).map(({ outTs, hold }) => {
      const ks = encodeKey(r.key);
      const st: WindowState = {
        w,
        k: r.otherK === null ? r.key : r.otherK,
        acc: r.acc,
        n: r.n,
        trig: r.trig as WindowState['trig'],
        pane: r.pane,
        nonSpec: r.nonSpec,
        onTime: r.onTime,
        closed: r.closed,
        outTs,
        hold,
        et: r.etOffsets.map((d) => w.maxTimestamp + d),
        pt: r.pt,
        et0: undefined,
      };
      st.et0 = r.et0Other !== null ? r.et0Other : st.et.reduce<number | undefined>((m, t) => (m === undefined || t < m ? t : m), undefined);
      if (r.last !== 'absent') st.last = r.last;
      if (r.retract !== 'absent') st.retract = r.retract;
      if (r.extra !== null) (st as unknown as Record<string, unknown>)['extra'] = r.extra;
      return [ks, w.id, st] as StateEntry<WindowState>;
    });
  });

describe('window-state/v1 codec', () => {
  it('property: round-trips any window states exactly, in order (columns or side list)', () => {
    fc.assert(
      fc.property(fc.array(windowStateEntry, { maxLength: 40 }), (entries) => {
        const decoded = windowStateCodec.decode(windowStateCodec.encode(entries));
        expect(sameState(decoded, entries)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps sharing: entries of one window share one window object, and a shared trigger state stays shared', () => {
    const w = intervalWindow(0, 3000);
    const st = (k: string): WindowState => ({ w: structuredClone(w), k, acc: 1, n: 1, trig: sharedTrig, pane: 0, nonSpec: 0, onTime: false, closed: false, outTs: w.maxTimestamp, hold: w.maxTimestamp, et: [w.maxTimestamp], pt: [], et0: w.maxTimestamp });
    const [[, , a], [, , b]] = windowStateCodec.decode(windowStateCodec.encode([['a', w.id, st('a')], ['b', w.id, st('b')]]));
    expect(a!.w).toBe(b!.w);
    expect(a!.trig).toBe(b!.trig);
    expect(a!.et).not.toBe(b!.et); // timer lists are mutated per entry, so never shared
  });

  it('keeps string keys with lone surrogates (not UTF-8) apart and exact: they are not turned into U+FFFD', () => {
    // Before, the columns stored string keys as UTF-8, which has no lone surrogates: '\ud800' and '\udc00'
    // both came back as '\ufffd', so after a restore two keys' windows were one key's (one overwritten).
    const w = intervalWindow(0, 3000);
    const keys = ['\ud800', '\udc00', '\ufffd', 'a\udfffb', '\ud83d\ude00', 'x'.repeat(70_000) + '\ud800'];
    const entries = keys.map((k, i): StateEntry<WindowState> => [k, w.id, { w, k, acc: i, n: 1, trig: UNFINISHED, pane: 0, nonSpec: 0, onTime: false, closed: false, outTs: undefined, hold: undefined, et: [w.maxTimestamp], pt: [], et0: w.maxTimestamp }]);
    const decoded = windowStateCodec.decode(windowStateCodec.encode(entries));
    expect(decoded.map(([k]) => k)).toEqual(keys);
    expect(decoded.map(([, , st]) => st.k)).toEqual(keys);
    expect(sameState(decoded, entries)).toBe(true);
  });

  it('property: round-trips any string keys, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.oneof(fc.integer({ min: 0xd7f0, max: 0xe010 }), fc.integer({ min: 0, max: 0xffff })).map((c) => String.fromCharCode(c)) }), { maxLength: 20 }), (keys) => {
        const w = intervalWindow(0, 3000);
        const entries = keys.map((k): StateEntry<WindowState> => [encodeKey(k) as string, w.id, { w, k, acc: 1, n: 1, trig: UNFINISHED, pane: 0, nonSpec: 0, onTime: false, closed: false, outTs: undefined, hold: undefined, et: [], pt: [], et0: undefined }]);
        expect(sameState(windowStateCodec.decode(windowStateCodec.encode(entries)), entries)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects bytes it did not write with a StateCodecError', () => {
    const bytes = windowStateCodec.encode([['a', 'global', { w: windowPool[2]!, k: 'a', acc: 1, n: 0, trig: UNFINISHED, pane: 0, nonSpec: 0, onTime: false, closed: false, outTs: undefined, hold: undefined, et: [], pt: [], et0: undefined }]]);
    expect(() => windowStateCodec.decode(bytes.subarray(0, bytes.length - 1))).toThrow(StateCodecError);
    expect(() => windowStateCodec.decode(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(/left over/);
    expect(() => windowStateCodec.decode(Buffer.alloc(3))).toThrow(StateCodecError);
  });

  it('is the codec of `windows` tables; everything else uses v8/v1; both are found by name', () => {
    expect(codecForTable('windows')).toBe(windowStateCodec);
    expect(codecForTable('user')).toBe(v8Codec);
    expect(codecNamed('window-state/v1')).toBe(windowStateCodec);
    expect(codecNamed('v8/v1')).toBe(v8Codec);
    expect(codecNamed('json/v1')).toBeUndefined();
  });
});

// --- the states the WindowDriver really produces --------------------------------------------------

interface DriverCase {
  name: string;
  windowFn: () => WindowFn<unknown>;
  trigger: Trigger;
  mode: AccumulationMode;
  lateness: number;
  combiner: TimestampCombiner;
  reducer: () => PaneReducer;
}

const sum = () => combineReducer(sumFn() as never, false);
const cases: DriverCase[] = [
  { name: 'fixed windows, default trigger, Sum', windowFn: () => FixedWindows(1000), trigger: DefaultTrigger(), mode: 'discarding', lateness: 0, combiner: 'END_OF_WINDOW', reducer: sum },
  {
    name: 'sliding windows, early and late firings, lateness, accumulating Mean',
    windowFn: () => SlidingWindows(2000, 1000),
    trigger: AfterWatermark().withEarlyFirings(AfterCount(2)).withLateFirings(AfterCount(1)),
    mode: 'accumulating',
    lateness: 1500,
    combiner: 'EARLIEST',
    reducer: () => combineReducer(meanFn() as never, false),
  },
  {
    name: 'sessions, retracting, GroupByKey lists',
    windowFn: () => Sessions(500),
    trigger: AfterWatermark().withLateFirings(AfterCount(1)),
    mode: 'retracting',
    lateness: 1000,
    combiner: 'LATEST',
    reducer: () => bagReducer,
  },
  {
    name: 'global window, processing-time trigger',
    windowFn: () => GlobalWindows(),
    trigger: Repeatedly(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(300)),
    mode: 'discarding',
    lateness: 0,
    combiner: 'END_OF_WINDOW',
    reducer: sum,
  },
];

type Op = { kind: 'el'; key: number; ts: number; value: number } | { kind: 'wm'; to: number } | { kind: 'pt'; to: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('el' as const), key: fc.integer({ min: 0, max: 6 }), ts: fc.integer({ min: 0, max: 8000 }), value: fc.integer({ min: -5, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wm' as const), to: fc.integer({ min: 0, max: 9000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pt' as const), to: fc.integer({ min: 0, max: 9000 }) }) },
);

function driveState(c: DriverCase, ops: readonly Op[]): StateEntry<WindowState>[] {
  const state = new InMemoryStateBackend();
  const clock = new VirtualClock(0);
  const strategy: WindowingStrategy = { windowFn: c.windowFn(), trigger: c.trigger, triggerIsDefault: false, accumulationMode: c.mode, allowedLateness: c.lateness, timestampCombiner: c.combiner, onTimeBehavior: 'FIRE_ALWAYS' };
  const driver = new WindowDriver({ step: 'S', strategy, reducer: c.reducer(), state, clock, metrics: emptyStepMetrics(), emit: () => {}, emitLate: () => {}, fireMode: 'immediate' });
  let wm = -Infinity;
  for (const o of ops) {
    if (o.kind === 'el') {
      for (const w of strategy.windowFn.assignWindows({ element: o.value, timestamp: o.ts, window: windowPool[2]! })) {
        driver.processParts(kv(o.key % 3 === 0 ? `user-${o.key}` : o.key, o.value), o.ts, w, NO_FIRING, false);
      }
    } else if (o.kind === 'wm' && o.to > wm) {
      wm = o.to;
      driver.advanceWatermark(o.to);
    } else if (o.kind === 'pt') {
      clock.advanceTo(o.to);
      driver.advanceProcessingTime(clock.now());
    }
  }
  return [...state.table<WindowState>('S', 'windows').entries()];
}

describe('window-state/v1 on WindowDriver state', () => {
  for (const c of cases) {
    it(`property: round-trips the driver's own states exactly (${c.name})`, () => {
      let nonEmpty = 0;
      fc.assert(
        fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
          const entries = driveState(c, ops);
          if (entries.length > 0) nonEmpty++;
          const decoded = windowStateCodec.decode(windowStateCodec.encode(entries));
          expect(sameState(decoded, entries)).toBe(true);
        }),
        { numRuns: 150 },
      );
      expect(nonEmpty).toBeGreaterThan(50);
    });
  }

  it('puts plain fixed-window count state into the columns: far smaller than v8', () => {
    const ops: Op[] = [];
    for (let i = 0; i < 3000; i++) ops.push({ kind: 'el', key: i, ts: (i * 7) % 1000, value: 1 });
    const state = new InMemoryStateBackend();
    const strategy: WindowingStrategy = { windowFn: FixedWindows(1000), trigger: DefaultTrigger(), triggerIsDefault: true, accumulationMode: 'discarding', allowedLateness: 0, timestampCombiner: 'END_OF_WINDOW', onTimeBehavior: 'FIRE_ALWAYS' };
    const driver = new WindowDriver({ step: 'S', strategy, reducer: sum(), state, clock: new VirtualClock(0), metrics: emptyStepMetrics(), emit: () => {}, emitLate: () => {}, fireMode: 'immediate' });
    for (const o of ops) if (o.kind === 'el') driver.processParts(kv(o.key, o.value), o.ts, intervalWindow(0, 1000), NO_FIRING, false);
    const entries = [...state.table<WindowState>('S', 'windows').entries()];
    const columnar = windowStateCodec.encode(entries).length;
    expect(columnar / entries.length).toBeLessThan(30);
    expect(v8Codec.encode(entries).length).toBeGreaterThan(columnar * 4);
  });
});

describe('plainDataKey and plainDataEqual', () => {
  it('gives equal keys only to deep-strict-equal values, and none to values outside plain data', () => {
    const distinct: unknown[] = [0, -0, NaN, Infinity, -Infinity, '1', 1, 1n, true, 'true', null, undefined, 'u', [], [undefined], {}, { a: undefined }, { a: 1 }, { a: '1' }, [1, 2], [[1], 2], { finished: false, subs: [FINISHED] }];
    const keys = distinct.map((v) => plainDataKey(v));
    expect(keys.every((k) => k !== undefined)).toBe(true);
    expect(new Set(keys).size).toBe(distinct.length);
    // eslint-disable-next-line no-sparse-arrays
    for (const v of [new Map(), new Set(), new Date(0), [1, , 3], Object.assign([1], { x: 2 }), Object.create(null), () => 1, Symbol('s'), { m: new Map() }]) expect(plainDataKey(v)).toBeUndefined();
  });

  it('property: equal keys imply isDeepStrictEqual', () => {
    const value = fc.anything({ maxDepth: 2, withBigInt: true, withMap: true, withSparseArray: true });
    fc.assert(
      fc.property(value, value, (a, b) => {
        const ka = plainDataKey(a);
        if (ka !== undefined && ka === plainDataKey(b)) expect(isDeepStrictEqual(a, b)).toBe(true);
        if (ka !== undefined) expect(plainDataKey(structuredClone(a))).toBe(ka);
        // plainDataEqual agrees with isDeepStrictEqual on plain data, and is false outside it
        expect(plainDataEqual(a, b)).toBe(ka !== undefined && plainDataKey(b) !== undefined && isDeepStrictEqual(a, b));
        expect(plainDataEqual(a, structuredClone(a))).toBe(ka !== undefined);
      }),
      { numRuns: 1000 },
    );
  });
});
