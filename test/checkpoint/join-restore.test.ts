import { describe, expect, it } from 'vitest';
import { CappedSessions } from '../../capability-matrix/support/capped-sessions.js';
import { kv, type KV } from '../../sdk/kv.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import type { WindowFn } from '../../sdk/windows/window-fn.js';
import { CoGroupByKey } from '../../transforms/co-group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { Window, type WindowTransform } from '../../transforms/window.js';
import { decoded, handRead, interrupted, uninterrupted, type Build, type EngineMode, type ScriptStep } from './engine-harness.js';

/**
 * A running CoGroupByKey join survives a kill and resume: restored from a checkpoint taken after any
 * step of a script (both runners, and across them), it gives the outputs of an uninterrupted run.
 * The join keeps its inputs' values per key and window in its grouping step until the window fires.
 */

type Ev = KV<string, number>;
const probe = <T>() => Capture.records<T>() as unknown as Probe<unknown>;
const MODES: EngineMode[] = ['native', 'microbatch'];
const el = (key: string, value: number, ts: number): readonly [Ev, number] => [kv(key, value), ts];

/** Both inputs windowed by `window`, joined; each side's values sorted so that ties in arrival order do not matter. */
const joinIn =
  (window: () => WindowTransform<Ev>): Build =>
  (p) => {
    const left = handRead<Ev>(p, 'Left').apply('WindowLeft', window());
    const right = handRead<Ev>(p, 'Right').apply('WindowRight', window());
    const joined = p
      .apply('Join', CoGroupByKey({ left, right }))
      .apply(
        'Sorted',
        MapElements((g: KV<string, { left: number[]; right: number[] }>) => kv(g.key, { left: [...g.value.left].sort((a, b) => a - b), right: [...g.value.right].sort((a, b) => a - b) })),
      )
      .apply('Probe', probe());
    return { joined };
  };

/** Fixed 10 s windows: early panes every 2 elements, on-time, late panes per element within 20 s of lateness. */
const fixedEarlyLate = (mode: 'accumulating' | 'discarding') =>
  joinIn(() => {
    const w = Window.into<Ev>(FixedWindows(10_000))
      .triggering(AfterWatermark().withEarlyFirings(AfterCount(2)).withLateFirings(AfterCount(1)))
      .withAllowedLateness(20_000);
    return mode === 'accumulating' ? w.accumulatingFiredPanes() : w.discardingFiredPanes();
  });

const fixedScript: ScriptStep[] = [
  { add: [el('a', 1, 1000)], read: 'Left' },
  { add: [el('a', 2, 2000)], read: 'Right' },
  { add: [el('b', 3, 3000)], read: 'Left' },
  { watermark: 5000, read: 'Left' },
  { add: [el('a', 4, 12_000), el('b', 5, 9000)], read: 'Right' },
  { watermark: 15_000, read: 'Right' },
  { add: [el('a', 6, 4000)], read: 'Left' },
  { watermark: 15_000, read: 'Left' }, // [0, 10 s) fires on time
  { add: [el('b', 7, 8000)], read: 'Right' }, // late, within the allowed lateness
  { add: [el('a', 8, 14_000)], read: 'Left' },
  { watermark: 45_000, read: 'Left' },
  { add: [el('a', 9, 100)], read: 'Right' }, // too late once the right side's watermark passes
  { watermark: 45_000, read: 'Right' },
  { add: [el('b', 10, 200)], read: 'Left' }, // dropped: past the allowed lateness
  { watermark: 60_000, read: 'Left' },
  { watermark: 60_000, read: 'Right' },
];

/** A user's merging WindowFn (sessions of 1 s gap capped at 3 s), default trigger: merged sessions fire once. */
const capped = joinIn(() => Window.into<Ev>(CappedSessions(1000, 3000) as WindowFn<Ev>));

/** Sessions (2 s gap) firing per element, accumulating and retracting. */
const retracting = joinIn(() => Window.into<Ev>(Sessions(2000)).triggering(Repeatedly(AfterCount(1))).accumulatingAndRetractingFiredPanes());

const sessionScript: ScriptStep[] = [
  { add: [el('a', 1, 1000)], read: 'Left' },
  { add: [el('a', 2, 1500)], read: 'Right' },
  { add: [el('a', 3, 5000), el('b', 4, 1200)], read: 'Left' },
  { add: [el('a', 5, 3000)], read: 'Right' }, // bridges a's sessions
  { watermark: 2000, read: 'Left' },
  { add: [el('b', 6, 2500)], read: 'Right' },
  { add: [el('a', 7, 3600)], read: 'Left' },
  { watermark: 2500, read: 'Right' },
  { add: [el('a', 8, 8000)], read: 'Right' },
  { add: [el('b', 9, 9500), el('a', 10, 9000)], read: 'Left' },
  { watermark: 7000, read: 'Left' },
  { watermark: 7000, read: 'Right' },
  { add: [el('b', 11, 10_000)], read: 'Right' },
  { watermark: 30_000, read: 'Left' },
  { watermark: 30_000, read: 'Right' },
];

const CASES: { name: string; build: Build; script: ScriptStep[] }[] = [
  { name: 'fixed windows, early/on-time/late panes, accumulating', build: fixedEarlyLate('accumulating'), script: fixedScript },
  { name: 'fixed windows, early/on-time/late panes, discarding', build: fixedEarlyLate('discarding'), script: fixedScript },
  { name: 'a custom merging WindowFn (capped sessions)', build: capped, script: sessionScript },
  { name: 'sessions, accumulating and retracting per element', build: retracting, script: sessionScript },
];

const allCuts = (n: number) => Array.from({ length: n + 1 }, (_, i) => i);

describe.each(MODES)('a CoGroupByKey join killed and resumed on the %s engine', (mode) => {
  it.each(CASES)('$name: a restore at every step gives the outputs of an uninterrupted run', async ({ build, script }) => {
    const expected = await uninterrupted(build, script, mode);
    expect(expected['joined']!.length).toBeGreaterThan(3);
    for (const cut of allCuts(script.length)) {
      const { lines, snapshots, recaptured } = await interrupted(build, script, [cut], [mode]);
      expect(lines, `cut after step ${cut}`).toEqual(expected);
      expect(decoded(recaptured[0]!), `recapture after step ${cut}`).toEqual(decoded(snapshots[0]!));
    }
  });
});

describe('a CoGroupByKey join resumed on the other runner', () => {
  it.each(CASES)('$name: native → micro-batch and micro-batch → native', async ({ build, script }) => {
    const native = await uninterrupted(build, script, 'native');
    expect(await uninterrupted(build, script, 'microbatch')).toEqual(native);
    for (const cut of allCuts(script.length)) {
      expect((await interrupted(build, script, [cut], ['native', 'microbatch'])).lines, `native → micro-batch, cut after step ${cut}`).toEqual(native);
      expect((await interrupted(build, script, [cut], ['microbatch', 'native'])).lines, `micro-batch → native, cut after step ${cut}`).toEqual(native);
    }
  });
});
