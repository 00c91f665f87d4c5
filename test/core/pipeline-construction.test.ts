import { describe, expect, it } from 'vitest';
import { DuplicateStepNameError, PipelineConstructionError, PipelineOptionsError, UnsupportedFeaturesError } from '../../sdk/errors.js';
import type { PCollection } from '../../sdk/pcollection.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PTransform } from '../../sdk/ptransform.js';
import { registeredRunners } from '../../sdk/runner.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { SystemClock } from '../../runners/system-clock.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { Filter } from '../../transforms/filter.js';
import { Flatten } from '../../transforms/flatten.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { RUNNERS } from '../support/runners.js';

const catchError = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

/** A composite of a composite: Outer → Inner → Map. */
const Inner = (): PTransform<PCollection<number>, PCollection<number>> => ({
  name: 'Inner',
  expand: (input) => input.apply(MapElements((x: number) => x + 1)).apply(Filter((x: number) => x > 0)),
});
const Outer = (): PTransform<PCollection<number>, PCollection<number>> => ({
  name: 'Outer',
  expand: (input) => input.apply(Inner()).apply('Double', MapElements((x: number) => x * 2)),
});

describe('pipeline construction', () => {
  it('duplicate step names throw DuplicateStepNameError at construction, saying how to fix it', () => {
    const p = Pipeline.create();
    const nums = p.apply('Numbers', Create([1, 2]));
    nums.apply('Square', MapElements((x: number) => x * x));
    const err = catchError(() => nums.apply('Square', MapElements((x: number) => x * x * x)));
    expect(err).toBeInstanceOf(DuplicateStepNameError);
    expect((err as DuplicateStepNameError).step).toBe('Square');
    expect((err as DuplicateStepNameError).code).toBe('DUPLICATE_STEP_NAME');
    expect((err as Error).message).toContain("'Square'");
    expect((err as Error).message).toContain('unique');
    // the default names collide too
    nums.apply(MapElements((x: number) => x));
    expect(() => nums.apply(MapElements((x: number) => x))).toThrow(DuplicateStepNameError);
    expect(() => p.apply('Numbers', Create([3]))).toThrow(DuplicateStepNameError);
  });

  it('a duplicate inside a composite is reported with its full hierarchical name', () => {
    const p = Pipeline.create();
    const Twice: PTransform<PCollection<number>, PCollection<number>> = {
      name: 'Twice',
      expand: (input) => input.apply('Step', MapElements((x: number) => x)).apply('Step', MapElements((x: number) => x)),
    };
    const err = catchError(() => p.apply(Create([1])).apply('Outer', Twice));
    expect(err).toBeInstanceOf(DuplicateStepNameError);
    expect((err as DuplicateStepNameError).step).toBe('Outer/Step');
    expect((err as Error).message).toContain('Outer/Step');
    expect((err as Error).message).toContain('unique');
  });

  it('composite transforms give hierarchical names, and the same inner name is fine under different parents', async () => {
    const p = Pipeline.create({ runner: 'native' });
    const nums = p.apply(Create([-5, 1, 2]));
    const probe = nums.apply(Outer()).apply(Capture.records<number>());
    nums.apply('Again', Outer());
    expect(p.stepNames()).toEqual([
      'Create',
      'Outer',
      'Outer/Inner',
      'Outer/Inner/Map',
      'Outer/Inner/Filter',
      'Outer/Double',
      'Capture',
      'Again',
      'Again/Inner',
      'Again/Inner/Map',
      'Again/Inner/Filter',
      'Again/Double',
    ]);
    expect(p.graph().primitives.map((n) => n.fullName)).toEqual([
      'Create',
      'Outer/Inner/Map',
      'Outer/Inner/Filter',
      'Outer/Double',
      'Capture',
      'Again/Inner/Map',
      'Again/Inner/Filter',
      'Again/Double',
    ]);
    const outerNode = p.graph().all.find((n) => n.fullName === 'Outer')!;
    expect(outerNode.children.map((c) => c.fullName)).toEqual(['Outer/Inner', 'Outer/Double']);
    const result = await p.run();
    expect(probe.values()).toEqual([4, 6]);
    expect(result.metrics['Outer/Inner/Map']).toMatchObject({ elementsIn: 3, elementsOut: 3 });
    expect(result.metrics['Outer/Inner/Filter']).toMatchObject({ elementsIn: 3, elementsOut: 2 });
  });

  it("rejects step names containing '/' and empty names", () => {
    const p = Pipeline.create();
    const nums = p.apply(Create([1]));
    const err = catchError(() => nums.apply('a/b', MapElements((x: number) => x)));
    expect(err).toBeInstanceOf(PipelineConstructionError);
    expect((err as Error).message).toContain("'a/b'");
    expect((err as Error).message).toContain("without '/'");
    expect(() => nums.apply('', MapElements((x: number) => x))).toThrow(PipelineConstructionError);
    expect(() => p.apply('x/', Create([1]))).toThrow(PipelineConstructionError);
  });

  it("rejects the step name '__proto__' (before: the step's metrics set the prototype of result.metrics, and its checkpoint entry was lost)", async () => {
    const p = Pipeline.create();
    expect(() => p.apply('__proto__', Create([1]))).toThrow(/step name '__proto__' is not valid/);
    // other Object.prototype names are steps like any other
    const { metrics } = await (() => {
      const q = Pipeline.create({ runner: 'native' });
      q.apply('constructor', Create([1, 2])).apply('toString', MapElements((x: number) => x));
      return q.run();
    })();
    expect(Object.hasOwn(metrics, 'constructor') && metrics['constructor']!.elementsOut).toBe(2);
    expect(Object.hasOwn(metrics, 'toString') && metrics['toString']!.elementsIn).toBe(2);
  });

  it('a transform whose expansion failed leaves the pipeline as it was (no steps, no names taken)', async () => {
    const p = Pipeline.create({ runner: 'native' });
    const a = p.apply('A', Create([1]));
    expect(() => p.apply('Merge', Flatten<number>())).toThrow(PipelineConstructionError);
    expect(() => p.apply('Merge', Flatten(a))).not.toThrow();
    // a composite that fails half-way: its first steps were already added when Flatten threw
    let mapped = 0;
    const HalfWay: PTransform<PCollection<number>, PCollection<number>> = {
      name: 'HalfWay',
      expand: (input) => {
        const m = input.apply(
          'Count',
          MapElements((x: number) => {
            mapped++;
            return x;
          }),
        );
        return m.apply('Mix', Flatten.with(m.apply(Window.into(FixedWindows(10)))));
      },
    };
    const before = { steps: p.stepNames(), primitives: p.graph().primitives.length, pcolls: p.graph().pcollections.length };
    expect(() => a.apply('Half', HalfWay)).toThrow(PipelineConstructionError);
    expect(p.stepNames()).toEqual(before.steps);
    expect(p.graph().primitives).toHaveLength(before.primitives);
    expect(p.graph().pcollections).toHaveLength(before.pcolls);
    await p.run();
    expect(mapped).toBe(0);
    expect(() => a.apply('Half', MapElements((x: number) => x))).not.toThrow();
  });

  it('parses options from argv', () => {
    const p = Pipeline.create(['--runner=microbatch', '--batchInterval=500ms']);
    expect(p.options.runner).toBe('microbatch');
    expect(p.options.batchInterval).toBe(500);
    // A program's own flag is declared (an undeclared one fails: test/core/pipeline-flags.test.ts).
    expect(Pipeline.create(['--runner', 'native', '--batchInterval=2s', '--bundleSize=10', '--myFlag=x'], { flags: { myFlag: { type: 'string' } } }).options).toMatchObject({
      runner: 'native',
      batchInterval: 2000,
      bundleSize: 10,
      args: { runner: 'native', batchInterval: '2s', bundleSize: '10', myFlag: 'x' },
    });
    expect(Pipeline.create(['--batchInterval=asap']).options.batchInterval).toBe('asap');
    expect(Pipeline.create().options.runner).toBe('native');
    // an options object wins over argv
    expect(Pipeline.create(['--runner=microbatch'], { runner: 'native' }).options.runner).toBe('native');
    expect(() => Pipeline.create(['--batchInterval=soon'])).toThrow(PipelineOptionsError);
    expect(() => Pipeline.create(['--bundleSize=0'])).toThrow(PipelineOptionsError);
  });

  it('an argv-configured micro-batch pipeline runs on the micro-batch runner', async () => {
    const p = Pipeline.create(['--runner=microbatch', '--batchInterval=500ms']);
    const probe = p.apply(Create([1, 2, 3])).apply(Count.globally()).apply(Capture.records<number>());
    const result = await p.run();
    expect(result.runner).toBe('microbatch');
    expect(result.batches?.length).toBeGreaterThanOrEqual(1);
    expect(probe.values()).toEqual([3]);
  });

  it('an unknown runner rejects run() with a message listing the registered runners (from a command line: create refuses it)', async () => {
    expect(() => Pipeline.create(['--runner=flink'])).toThrow(/unknown runner 'flink'.*Registered runners: microbatch, native/);
    const p = Pipeline.create({ runner: 'flink' });
    p.apply(Create([1]));
    const err = await p.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PipelineOptionsError);
    expect((err as Error).message).toContain("unknown runner 'flink'");
    expect(registeredRunners()).toEqual(expect.arrayContaining(['microbatch', 'native']));
    for (const r of registeredRunners()) expect((err as Error).message).toContain(r);
  });

  it('a misspelt runner names the closest registered one', async () => {
    const p = Pipeline.create({ runner: 'microbach' });
    p.apply(Create([1]));
    await expect(p.run()).rejects.toThrow("unknown runner 'microbach' (did you mean microbatch?). Registered runners: microbatch, native.");
  });
});

describe.each(RUNNERS)('runner validation on $label', ({ options }) => {
  it('refuses a pipeline with two TestStreams before running anything, listing the feature', async () => {
    let setups = 0;
    const p = Pipeline.create(options);
    const a = p.apply('StreamA', TestStream.create<number>().addElements([1, 0]));
    const b = p.apply('StreamB', TestStream.create<number>().addElements([2, 0]));
    p.apply(Flatten(a, b)).apply(
      'Watch',
      ParDo<number, number>({
        setup() {
          setups++;
        },
        process() {},
      }),
    );
    const err = await p.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnsupportedFeaturesError);
    const u = err as UnsupportedFeaturesError;
    expect(u.runner).toBe(options.runner);
    expect(u.features).toEqual([{ step: 'StreamB', feature: 'several TestStreams', reason: expect.stringContaining('only one TestStream') }]);
    expect(u.message).toContain(`runner '${options.runner}' cannot run this pipeline`);
    expect(u.message).toContain('StreamB: several TestStreams');
    expect(setups).toBe(0);
    // start() throws synchronously with the same error
    expect(() => p.start()).toThrow(UnsupportedFeaturesError);
  });

  it('refuses a TestStream with a real clock', async () => {
    const p = Pipeline.create({ ...options, clock: new SystemClock() });
    p.apply('Script', TestStream.create<number>().addElements([1, 0]));
    const err = await p.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnsupportedFeaturesError);
    expect((err as UnsupportedFeaturesError).features.map((f) => [f.step, f.feature])).toEqual([['Script', 'TestStream with a real clock']]);
  });
});
