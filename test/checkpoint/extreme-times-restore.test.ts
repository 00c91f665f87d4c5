import { describe, expect, it } from 'vitest';
import { statefulDoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import { StateSpec, TimerSpec } from '../../sdk/state.js';
import { Capture } from '../../sdk/testing/capture.js';
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MAX, TIMESTAMP_MIN } from '../../sdk/time.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { handRead, interrupted, uninterrupted, type Build, type EngineMode, type ScriptStep } from './engine-harness.js';

/**
 * Extreme and fractional event times through a checkpoint: windows near TIMESTAMP_MAX and past it,
 * fractional times and watermarks, a timer at TIMESTAMP_MAX. A restore after every step (same runner and
 * the other one) gives the outputs of an uninterrupted run.
 */
const W = TIMESTAMP_MAX - 1_000_000;
const build: Build = (p) => {
  const input = handRead<KV<string, number>>(p, 'In');
  const fixed = input.apply('Fixed', Window.into<KV<string, number>>(FixedWindows(3000))).apply('CountFixed', Count.perKey<string>());
  const sliding = input.apply('Sliding', Window.into<KV<string, number>>(SlidingWindows(3000, 1000))).apply('CountSliding', Count.perKey<string>());
  const sessions = input.apply('Sessions', Window.into<KV<string, number>>(Sessions(2.5))).apply('CountSessions', Count.perKey<string>());
  const atEnd = input.apply(
    'AtEnd',
    ParDo(
      statefulDoFn<KV<string, number>, string>()({
        state: { n: StateSpec.combining({ createAccumulator: () => 0, addInput: (a: number) => a + 1, mergeAccumulators: (as: number[]) => as.reduce((x, y) => x + y, 0), extractOutput: (a: number) => a }) },
        timers: { end: TimerSpec.eventTime() },
        process(_e, ctx) {
          ctx.state.n.add(1);
          ctx.timers.end.set(TIMESTAMP_MAX);
        },
        onTimer: { end: (ctx) => ctx.output(`${String(ctx.key)} saw ${ctx.state.n.read()}`) },
      }),
    ),
  );
  const show = (c: KV<string, number>) => `${c.key}=${c.value}`;
  return {
    fixed: fixed.apply('ShowF', MapElements(show)).apply('F', Capture.records()),
    sliding: sliding.apply('ShowS', MapElements(show)).apply('S', Capture.records()),
    sessions: sessions.apply('ShowX', MapElements(show)).apply('X', Capture.records()),
    atEnd: atEnd.apply('E', Capture.records()),
  };
};

const script: ScriptStep[] = [
  { add: [[kv('a', 1), TIMESTAMP_MIN], [kv('a', 2), -0.5], [kv('b', 3), 2999.25]] },
  { watermark: 2999.5 },
  { add: [[kv('b', 4), 2999.75], [kv('a', 5), END_OF_GLOBAL_WINDOW + 1]] },
  { add: [[kv('c', 6), W + 10]] },
  { watermark: W },
  { add: [[kv('c', 7), W + 20], [kv('d', 8), TIMESTAMP_MAX - 1], [kv('d', 9), TIMESTAMP_MAX]] },
  { watermark: W + 5000.5 },
];

describe.each(['native', 'microbatch'] as EngineMode[])('extreme event times through a checkpoint on the %s engine', (mode) => {
  it('a restore at every step (same runner and the other one) gives the outputs of an uninterrupted run', async () => {
    const expected = await uninterrupted(build, script, mode);
    // The global window is collected once the watermark passes END_OF_GLOBAL_WINDOW (at W): its timers at
    // TIMESTAMP_MAX fire then, with their state; c's second element and d's come after, into an expired window (dropped as late).
    expect(expected['atEnd']!.map((l) => l.slice(l.indexOf('"'))).sort()).toEqual(['"a saw 3"', '"b saw 2"', '"c saw 1"']);
    expect(expected['fixed']!.some((l) => l.includes('"b=2"'))).toBe(true); // 2999.25 and 2999.75: one window, on time
    for (let cut = 0; cut <= script.length; cut++) {
      for (const modes of [[mode], [mode, mode === 'native' ? 'microbatch' : 'native']] as EngineMode[][]) {
        const { lines } = await interrupted(build, script, [cut], modes);
        expect(lines, `cut after step ${cut}, ${modes.join(' → ')}`).toEqual(expected);
      }
    }
  });
});
