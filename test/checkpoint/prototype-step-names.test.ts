import { describe, expect, it } from 'vitest';
import { CheckpointMismatchError } from '../../sdk/errors.js';
import { kv, type KV } from '../../sdk/kv.js';
import { Capture } from '../../sdk/testing/capture.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { runningCount } from '../support/running-count.js';
import { handRead, HandRun, interrupted, uninterrupted, type Build, type EngineMode, type ScriptStep } from './engine-harness.js';

/**
 * Steps named like Object.prototype members, through a checkpoint. A snapshot's steps and the engine's
 * counters are records by step name: before, `snapshot.steps['constructor']` of a checkpoint without
 * that step found Object.prototype.constructor (so the step was not listed among the steps without state),
 * and a checkpoint's counters of a step this pipeline lacks were written onto Object.prototype's members
 * (`Object.prototype.toLocaleString.elementsIn`). Now such names are entries like any other ('__proto__'
 * is refused when the pipeline is built).
 */
const NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'] as const;

const counter = (name: string) => ParDo(runningCount((e: KV<string, number>, n) => `${name} ${e.key}#${n}`));

/** The pipeline: a Read, a keying step and a stateful ParDo per name in `stateful` (each its own probe), a GroupByKey named `gbk`. */
const build =
  (stateful: readonly string[], keying = 'valueOf', gbk = 'hasOwnProperty'): Build =>
  (p) => {
    const keyed = handRead<number>(p, 'toString')
      .apply('Window', Window.into<number>(FixedWindows(1000)))
      .apply(keying, MapElements((i: number) => kv(`k${i % 3}`, i)));
    const out: Record<string, ReturnType<typeof Capture.records<string>>> = {};
    for (const name of stateful) out[`p${name}`] = keyed.apply(name, counter(name)).apply(`Probe.${name}`, Capture.records<string>());
    out['groups'] = keyed
      .apply(gbk, GroupByKey<string, number>())
      .apply('ShowGroup', MapElements((g: KV<string, number[]>) => `${g.key}=${[...g.value].sort((a, b) => a - b).join(',')}`))
      .apply('Probe.groups', Capture.records<string>());
    return out as never;
  };

const script: ScriptStep[] = [{ add: [0, 1, 2, 3].map((i) => [i, 100] as const) }, { add: [4, 5].map((i) => [i, 200] as const) }, { watermark: 500 }, { add: [6, 7].map((i) => [i, 1100] as const) }, { watermark: 1500 }];

describe.each(['native', 'microbatch'] as EngineMode[])('steps named like Object.prototype members through a checkpoint on the %s engine', (mode) => {
  it('a restore at every step (same runner, the other one, and 3 instances) gives the outputs of an uninterrupted run', async () => {
    const b = build(['constructor', 'isPrototypeOf']);
    const expected = await uninterrupted(b, script, mode);
    expect(expected['pconstructor']).toHaveLength(8);
    expect(expected['pisPrototypeOf']).toHaveLength(8);
    for (let cut = 1; cut < script.length; cut++) {
      for (const [modes, instances] of [
        [[mode], [1]],
        [[mode, mode === 'native' ? 'microbatch' : 'native'], [1]],
        [[mode], [1, 3]],
      ] as [EngineMode[], number[]][]) {
        const { lines, snapshots } = await interrupted(b, script, [cut], modes, instances);
        expect(lines, `cut after step ${cut}, ${modes.join(' → ')}`).toEqual(expected);
        for (const name of NAMES) expect(Object.hasOwn(snapshots[0]!.steps, name), name).toBe(true);
      }
    }
  });

  it.each([
    ['constructor', 1],
    ['isPrototypeOf', 1],
    ['Plain', 1],
    ['constructor', 3],
    ['Plain', 3],
  ] as const)(
    'a checkpoint without a stateful step named %s restores with that step starting empty, as for any missing step (%i instances)',
    async (name, instances) => {
      const first = new HandRun(build([]), mode);
      await first.engine.open();
      for (const s of script.slice(0, 2)) await first.step(s);
      const snap = first.engine.capture();
      expect(Object.hasOwn(snap.steps, name)).toBe(false);
      const second = new HandRun(build([name]), mode, 0, instances);
      second.engine.restore(structuredClone(snap));
      await second.engine.open();
      for (const s of script.slice(2)) await second.step(s);
      await second.finish();
      // counted from 1: the step had no state
      expect(second.lines()[`p${name}`]!.map((l) => l.replace(/^.* "/, '').replace(/"$/, '')).sort()).toEqual([`${name} k0#1`, `${name} k1#1`]);
    },
  );

  it.each(['constructor', 'isPrototypeOf', 'Plain'])(
    'a checkpoint holding the state of a step this pipeline lacks is refused naming it, and naming %s, which the checkpoint lacks, among the steps without state',
    async (name) => {
      const first = new HandRun(build(['Old']), mode);
      await first.engine.open();
      for (const s of script.slice(0, 2)) await first.step(s);
      const snap = first.engine.capture();
      const second = new HandRun(build([name]), mode);
      const err = (() => {
        try {
          second.engine.restore(structuredClone(snap));
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(CheckpointMismatchError);
      expect((err as CheckpointMismatchError).mismatches).toEqual([{ step: 'Old', problem: 'no-home' }]);
      expect((err as CheckpointMismatchError).stepsWithoutState).toEqual([name]);
    },
  );

  it('the counters of a stateless step a checkpoint has and this pipeline lacks are ignored, not written onto Object.prototype members', async () => {
    const first = new HandRun(build([], 'toLocaleString', 'isPrototypeOf'), mode);
    await first.engine.open();
    for (const s of script.slice(0, 2)) await first.step(s);
    const snap = first.engine.capture();
    expect(Object.hasOwn(snap.steps, 'toLocaleString')).toBe(true);
    const second = new HandRun(build([], 'Keys', 'isPrototypeOf'), mode);
    second.engine.restore(structuredClone(snap));
    expect(Object.hasOwn(Object.prototype.toLocaleString, 'elementsIn')).toBe(false);
    expect(Object.hasOwn(second.engine.metrics, 'toLocaleString')).toBe(false);
    expect(second.engine.metrics['Keys']!.elementsIn).toBe(0);
  });
});
