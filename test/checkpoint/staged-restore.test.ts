import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StagedEngine } from '../../runners/core/parallel/staged-engine.js';
import { statefulDoFn, type DoFn } from '../../sdk/dofn.js';
import { VirtualClock } from '../../sdk/clock.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { InMemoryStateBackend } from '../../runners/core/state/state-backend.js';
import { kv, type KV } from '../../sdk/kv.js';
import { View } from '../../sdk/side-input.js';
import { StateSpec } from '../../sdk/state.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TIMESTAMP_MIN } from '../../sdk/time.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { buildRandomPipeline, randomPipelineProgram } from '../support/random-pipelines.js';
import { arbTriggerSpec, arbWindowSpec, triggerOf, windowFnOf, type TriggerSpec, type WindowSpec } from '../support/random-windowing.js';
import { ENGINE_MODES, handRead, HandRun, interrupted, uninterrupted, type Build, type EngineMode, type ScriptStep } from './engine-harness.js';

/**
 * Checkpoints of a run as stages (design: docs/design/scale-out.md §6 step 5): a run at N instances per keyed
 * stage, captured at random points and restored at random M (1 included, as a plain Engine), gives the
 * records of an uninterrupted run at 1, on both engines. The pipeline has an aggregation (Sum.perKey, a
 * GroupByKey), a stateful ParDo and a ParDo whose main elements wait for a side input made in another stage
 * (held elements, re-routed by key on rescale).
 */
const counter = statefulDoFn<KV<string, number>>()({
  state: { n: StateSpec.value<number>() },
  process(e, ctx) {
    const n = (ctx.state.n.read() ?? 0) + 1;
    ctx.state.n.write(n);
    return kv(e.key, n);
  },
});

interface Shape {
  readonly window: WindowSpec;
  readonly trigger: TriggerSpec;
  readonly mode: 'discarding' | 'accumulating' | 'retracting';
  readonly lateness: number;
}

const probe = (): Probe<unknown> => Capture.records() as unknown as Probe<unknown>;

const build =
  (c: Shape): Build =>
  (p) => {
    // The side read comes first, so the step reading it stays in the aggregation's stage (a broadcast edge).
    const view = View.asList(handRead<number>(p, 'Side'));
    let w = Window.into<KV<string, number>>(windowFnOf(c.window)).triggering(triggerOf(c.trigger)).withAllowedLateness(c.lateness);
    w = c.mode === 'discarding' ? w.discardingFiredPanes() : c.mode === 'accumulating' ? w.accumulatingFiredPanes() : w.accumulatingAndRetractingFiredPanes();
    const win = handRead<KV<string, number>>(p, 'Events').apply('Window', w);
    const sum = win.apply('Sum', Sum.perKey<string>());
    return {
      sums: sum.apply('SumProbe', probe()),
      late: sum.lateData().apply('LateProbe', probe()),
      groups: win
        .apply('Group', GroupByKey<string, number>())
        .apply('Sorted', MapElements((g: KV<string, number[]>) => kv(g.key, [...g.value].sort((a, b) => a - b))))
        .apply('GroupProbe', probe()),
      counts: win.apply('Count', ParDo(counter)).apply('CountProbe', probe()),
      joined: sum
        .apply('Join', ParDo<KV<string, number>, string>({ process: (e, ctx) => `${e.key}=${e.value} side=${ctx.sideInput(view).length}` }).withSideInputs(view))
        .apply('JoinProbe', probe()),
    };
  };

const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const arbTs = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -3000, max: 20000 }) }, { weight: 1, arbitrary: fc.constantFrom(TIMESTAMP_MIN, -1, 0, 8.64e15) });
const arbStep: fc.Arbitrary<ScriptStep> = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.tuple(fc.constantFrom(...keys), fc.integer({ min: 1, max: 9 }), arbTs), { minLength: 1, maxLength: 4 }).map((xs) => ({ add: xs.map(([k, v, t]) => [kv(k, v), t] as const), read: 'Events' })) },
  { weight: 2, arbitrary: fc.integer({ min: -3000, max: 25000 }).map((w) => ({ watermark: w, read: 'Events' })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 9 }).map((v) => ({ add: [[v, 0] as const], read: 'Side' })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((t) => ({ time: t })) },
);
const arbInstances = fc.constantFrom(1, 2, 3, 4, 7, 128);

/** Time steps of a script made absolute and increasing. */
function absolute(script: readonly ScriptStep[]): ScriptStep[] {
  let now = 0;
  return script.map((s) => ('time' in s ? { time: (now += s.time) } : s));
}

describe('checkpoints of a run as stages (scale-out step 5)', () => {
  it('property: random input cut at random points, each part at a random parallelism (N -> M), equals the uninterrupted run at 1', async () => {
    const arb = fc.record({
      script: fc.array(arbStep, { minLength: 1, maxLength: 14 }),
      window: arbWindowSpec,
      trigger: arbTriggerSpec({ all: false }),
      mode: fc.constantFrom('discarding' as const, 'accumulating' as const, 'retracting' as const),
      lateness: fc.constantFrom(0, 1000, 1e15),
      cuts: fc.uniqueArray(fc.integer({ min: 0, max: 14 }), { minLength: 1, maxLength: 3 }),
      instances: fc.array(arbInstances, { minLength: 4, maxLength: 4 }),
      engine: fc.constantFrom<EngineMode>('native', 'microbatch'),
    });
    await fc.assert(
      fc.asyncProperty(arb, async (c) => {
        const script = absolute(c.script);
        const expected = await uninterrupted(build(c), script, c.engine);
        const cuts = c.cuts.map((x) => Math.min(x, script.length)).sort((a, b) => a - b);
        const { lines } = await interrupted(build(c), script, cuts, [c.engine], c.instances);
        expect(lines).toEqual(expected);
      }),
      { numRuns: 150, seed: 20261204 },
    );
  }, 240_000);

  for (const engine of ['native', 'microbatch'] as const) {
    const shape: Shape = { window: { k: 'fixed', size: 5000 }, trigger: { k: 'wm', early: 2, late: true }, mode: 'accumulating', lateness: 1000 };
    const script: ScriptStep[] = [
      { add: keys.map((k, i) => [kv(k, i + 1), 1000 + i] as const), read: 'Events' },
      { add: [[5, 0]], read: 'Side' },
      { watermark: 6000, read: 'Events' },
      { add: keys.map((k, i) => [kv(k, 10 * i), 7000 + i] as const), read: 'Events' },
      { add: [[kv('a', 100), 2000]], read: 'Events' },
      { time: 500 },
      { watermark: 12_000, read: 'Events' },
      { add: keys.map((k) => [kv(k, 1), 13_000] as const), read: 'Events' },
    ];

    it(`${engine}: capture at 3 and restore at 3 equals the uninterrupted run, records spread over the instances`, async () => {
      const expected = await uninterrupted(build(shape), script, engine);
      expect(await uninterrupted(build(shape), script, engine, 3)).toEqual(expected);
      const { lines, snapshots } = await interrupted(build(shape), script, [2, 5], [engine], [3]);
      expect(lines).toEqual(expected);
      // The Sum's keyed state sits in more than one instance's key groups.
      const groups = new Set(snapshots[0]!.segments.filter((s) => s.step === 'Sum' && s.keyGroup !== null).map((s) => s.keyGroup!));
      expect(new Set([...groups].map((g) => Math.floor((g * 3) / 128))).size).toBeGreaterThan(1);
      // Held elements (waiting for the side input) and counters cross the cut.
      expect(snapshots[0]!.steps['Join']!.operator).toBeDefined();
    });

    it(`${engine}: 1 -> 3 -> 1 and 2 -> 5 -> 128 -> 1 give the uninterrupted output; counters go on as at 1`, async () => {
      const expected = await uninterrupted(build(shape), script, engine);
      for (const instances of [
        [1, 3, 1],
        [2, 5, 128, 1],
      ]) {
        const cuts = instances.slice(1).map((_, i) => 2 * (i + 1));
        const { lines } = await interrupted(build(shape), script, cuts, [engine], instances);
        expect(lines, instances.join(' -> ')).toEqual(expected);
      }
      // A checkpoint of 3 instances restored into a plain Engine: the counters are the run's totals.
      const at1 = new HandRun(build(shape), engine);
      const at3 = new HandRun(build(shape), engine, 0, 3);
      await at1.engine.open();
      await at3.engine.open();
      for (const s of script) {
        await at1.step(s);
        await at3.step(s);
      }
      const snap = at3.engine.capture();
      const restored = new HandRun(build(shape), engine);
      restored.engine.restore(structuredClone(snap));
      for (const step of ['Sum', 'Group', 'Count', 'Join', 'Events', 'Side']) expect(restored.engine.metrics[step], step).toEqual(at1.engine.metrics[step]);
      const back = new HandRun(build(shape), engine, 0, 4);
      back.engine.restore(structuredClone(snap));
      expect(back.engine).toBeInstanceOf(StagedEngine);
      for (const step of ['Sum', 'Count', 'Join']) expect(back.engine.metrics[step], step).toEqual(at1.engine.metrics[step]);
      for (const r of [at1, at3, restored, back]) await r.engine.close('cancelled');
    });
  }

  it('a stage with a two-phase-commit sink runs one instance (its handle is one per step), the others N', () => {
    const p = Pipeline.create();
    const sums = handRead<KV<string, number>>(p, 'Events').apply('Window', Window.into<KV<string, number>>(windowFnOf({ k: 'fixed', size: 1000 }))).apply('Sum', Sum.perKey<string>());
    sums.apply('Again', Sum.perKey<string>());
    const sink: DoFn<KV<string, number>, never> = {
      process: () => {},
      twoPhaseCommit: { preCommit: () => Promise.resolve(undefined), commit: () => Promise.resolve(), recover: () => Promise.resolve() },
    };
    sums.apply('Sink', ParDo(sink));
    const engine = new StagedEngine(p.graph(), { clock: new VirtualClock(0), state: new InMemoryStateBackend(), ...ENGINE_MODES.native }, { instances: 3 });
    const instancesOf = (step: string) => engine.stages.find((s) => s.graph.stage.steps.includes(step))!.instances.length;
    expect(instancesOf('Sink')).toBe(1);
    expect(instancesOf('Again')).toBe(3);
  });

  it('property: in a stage of several instances every keyed step reads its main input by key (so its state splits by key group, as restore assumes)', () => {
    fc.assert(
      fc.property(randomPipelineProgram, (ops) => {
        const engine = new StagedEngine(buildRandomPipeline(ops).graph(), { clock: new VirtualClock(0), state: new InMemoryStateBackend(), ...ENGINE_MODES.native }, { instances: 3 });
        for (const s of engine.stages) {
          if (s.instances.length === 1) continue;
          for (const n of s.graph.graph.primitives) {
            const p = n.payload;
            if (!(p?.kind === 'gbk' || p?.kind === 'combine' || (p?.kind === 'pardo' && p.stateful))) continue;
            expect(s.graph.reads.find((r) => r.pcollection === n.inputs[0])?.routing, n.fullName).toBe('keyed');
          }
        }
      }),
      { numRuns: 1000, seed: 20261204 },
    );
  });

  it('a snapshot of another key group count restores at 1, and is refused (nothing restored) where a stage has several instances', async () => {
    const shape: Shape = { window: { k: 'fixed', size: 1000 }, trigger: { k: 'wm' }, mode: 'discarding', lateness: 0 };
    const run = new HandRun(build(shape), 'native');
    await run.engine.open();
    await run.step({ add: keys.map((k) => [kv(k, 1), 10] as const), read: 'Events' });
    const snap = run.engine.capture({ keyGroups: 64 });
    expect(() => new HandRun(build(shape), 'native').engine.restore(structuredClone(snap))).not.toThrow();
    const at3 = new HandRun(build(shape), 'native', 0, 3);
    expect(() => at3.engine.restore(structuredClone(snap), { checkpoint: 'ck-64' })).toThrow(/ck-64 has 64 key groups; stage 'Sum' of 3 instances routes by 128/);
    expect(at3.engine.metrics['Sum']!.elementsIn).toBe(0);
    await run.engine.close('cancelled');
  });

  it('a source read stays at one instance, so its position and watermark come through unchanged', async () => {
    const shape: Shape = { window: { k: 'fixed', size: 1000 }, trigger: { k: 'wm', early: 2, late: true }, mode: 'discarding', lateness: 0 };
    const run = new HandRun(build(shape), 'native', 0, 3);
    await run.engine.open();
    await run.step({ watermark: 4000, read: 'Events' });
    const snap = run.engine.capture();
    expect(snap.steps['Events']!.source).toEqual({ position: null, watermark: 4000, done: false });
    expect(Object.keys(snap.steps).some((s) => s.startsWith('[exchange-'))).toBe(false);
    expect(snap.steps['Sum']!.inputWm).toBe(4000);
    await run.engine.close('cancelled');
  });
});
