import { describe, expect, it } from 'vitest';
import type { KV } from '../../sdk/kv.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { ProcessingTimeWindows } from '../../sdk/windows/processing-time-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { decoded, handRead, HandRun, interrupted, uninterrupted, type Build, type EngineMode, type ScriptStep } from './engine-harness.js';

/**
 * Checkpoints of a pipeline with processing-time windows: the Window.into step's processing time
 * and the window ends it waits for, and the aggregations' windows, come back from a snapshot, on the
 * same engine and across engines, so a resumed run gives what an uninterrupted one gives.
 */

const probe = <T>() => Capture.records<T>() as unknown as Probe<unknown>;
const MODES: EngineMode[] = ['native', 'microbatch'];

const build: Build = (p) => {
  const windowed = handRead<string>(p, 'Events').apply('Window', Window.into<string>(ProcessingTimeWindows.tumbling(10_000)));
  const keyed = windowed.apply('Key', WithKeys((s: string) => s.slice(0, 1)));
  const counts = keyed.apply('Count', Count.perKey<string>()).apply('CountProbe', probe<KV<string, number>>());
  const groups = keyed
    .apply('Group', GroupByKey<string, string>())
    .apply('Sorted', MapElements((g: KV<string, string[]>) => [...g.value].sort().join(',')))
    .apply('GroupProbe', probe<string>());
  return { counts, groups };
};

/** Every element has event time 5; processing time moves between them, across three windows. */
const script: ScriptStep[] = [
  { add: [['a1', 5]] },
  { add: [['b1', 5]] },
  { time: 4_000 },
  { add: [['a2', 5]] },
  { time: 10_000 },
  { add: [['a3', 5]] },
  { time: 12_000 },
  { add: [['b2', 5]] },
  { time: 25_000 },
  { add: [['a4', 5]] },
];

const cuts = Array.from({ length: script.length + 1 }, (_, i) => i);

describe('processing-time windows across a checkpoint', () => {
  it.each(MODES)('on the %s engine a restore at every step gives the outputs of an uninterrupted run', async (mode) => {
    const expected = await uninterrupted(build, script, mode);
    expect(expected['counts']!.map((l) => l.replace(/ pt=\d+/, ''))).toEqual(
      [
        '0:10000 ON_TIME #0/0 first last ts=9999 {"key":"a","value":2}',
        '0:10000 ON_TIME #0/0 first last ts=9999 {"key":"b","value":1}',
        '10000:20000 ON_TIME #0/0 first last ts=19999 {"key":"a","value":1}',
        '10000:20000 ON_TIME #0/0 first last ts=19999 {"key":"b","value":1}',
        '20000:30000 ON_TIME #0/0 first last ts=29999 {"key":"a","value":1}',
      ].sort(),
    );
    for (const cut of cuts) {
      const { lines, snapshots, recaptured } = await interrupted(build, script, [cut], [mode]);
      expect(lines, `cut after step ${cut}`).toEqual(expected);
      expect(decoded(recaptured[0]!), `recapture after step ${cut}`).toEqual(decoded(snapshots[0]!));
    }
  });

  it('native → micro-batch and micro-batch → native give the same outputs (one element per batch)', async () => {
    const native = await uninterrupted(build, script, 'native');
    expect(await uninterrupted(build, script, 'microbatch')).toEqual(native);
    for (const cut of cuts) {
      expect((await interrupted(build, script, [cut], ['native', 'microbatch'])).lines, `cut ${cut}`).toEqual(native);
      expect((await interrupted(build, script, [cut], ['microbatch', 'native'])).lines, `cut ${cut}`).toEqual(native);
    }
  });

  it.each(MODES)('on the %s engine a restored run still wakes up at the end of the open window', async (mode) => {
    const run = new HandRun(build, mode);
    await run.engine.open();
    for (const s of script.slice(0, 4)) await run.step(s); // a1, b1, a2 in [0, 10 s), processing time 4 s
    expect(run.engine.nextProcessingTimer()).toBe(10_000);
    const snap = run.engine.capture();
    await run.engine.close('cancelled');
    const resumed = new HandRun(build, mode, run.clock.now());
    resumed.engine.restore(structuredClone(snap));
    expect(resumed.engine.nextProcessingTimer()).toBe(10_000);
  });
});
