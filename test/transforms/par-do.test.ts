import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import type { DoFn } from '../../sdk/dofn.js';
import { statefulDoFn } from '../../sdk/dofn.js';
import { UserCodeError } from '../../sdk/errors.js';
import { kv, type KV } from '../../sdk/kv.js';
import { View } from '../../sdk/side-input.js';
import { StateSpec, TimerSpec } from '../../sdk/state.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { intervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Create } from '../../transforms/create.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/** A DoFn that records its lifecycle calls (on its own instance) and passes elements through. */
class RecordingFn implements DoFn<number, number> {
  readonly events: string[] = [];
  setup(): void {
    this.events.push('setup');
  }
  startBundle(): void {
    this.events.push('startBundle');
  }
  process(e: number, ctx: { output(v: number): void }): void {
    this.events.push(`process:${e}`);
    ctx.output(e);
  }
  finishBundle(): void {
    this.events.push('finishBundle');
  }
  teardown(): void {
    this.events.push('teardown');
  }
}

/** Checks `setup (startBundle process* finishBundle)+ teardown` and returns the bundles' elements. */
function bundlesOf(events: readonly string[]): string[][] {
  expect(events[0]).toBe('setup');
  expect(events[events.length - 1]).toBe('teardown');
  expect(events.filter((e) => e === 'setup')).toHaveLength(1);
  expect(events.filter((e) => e === 'teardown')).toHaveLength(1);
  const bundles: string[][] = [];
  let open: string[] | undefined;
  for (const e of events.slice(1, -1)) {
    if (e === 'startBundle') {
      expect(open, `startBundle inside an open bundle: ${events.join(' ')}`).toBeUndefined();
      open = [];
    } else if (e === 'finishBundle') {
      expect(open, `finishBundle without startBundle: ${events.join(' ')}`).toBeDefined();
      bundles.push(open!);
      open = undefined;
    } else {
      expect(open, `${e} outside a bundle: ${events.join(' ')}`).toBeDefined();
      open!.push(e);
    }
  }
  expect(open, 'the last bundle was never finished').toBeUndefined();
  return bundles;
}

const HUGE = { id: 7, blob: 'x'.repeat(10_000) };

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('ParDo on $label', ({ label, options }) => {
  it('calls setup → (startBundle → process* → finishBundle)+ → teardown on each DoFn instance', async () => {
    const first = new RecordingFn();
    const second = new RecordingFn();
    const { out } = await runWith(options, (p) =>
      p
        .apply(Create([1, 2, 3, 4, 5]))
        .apply('First', ParDo(first))
        .apply('Second', ParDo(second))
        .apply(Capture.records<number>()),
    );
    expect(out.values()).toEqual([1, 2, 3, 4, 5]);
    for (const fn of [first, second]) {
      const bundles = bundlesOf(fn.events);
      expect(bundles.flat()).toEqual(['process:1', 'process:2', 'process:3', 'process:4', 'process:5']);
      expect(bundles.every((b) => b.length > 0)).toBe(true);
      if (label === 'native(bundle=1)') expect(bundles).toHaveLength(5);
    }
  });

  it('timers fire inside a bundle too (startBundle before onTimer, finishBundle after)', async () => {
    const events: string[] = [];
    const fn = statefulDoFn<KV<string, number>, string, {}, { flush: TimerSpec }>({
      timers: { flush: TimerSpec.eventTime() },
      startBundle() {
        events.push('startBundle');
      },
      process(e, ctx) {
        events.push(`process:${e.key}`);
        ctx.timers.flush.set(ctx.window.maxTimestamp);
      },
      onTimer: {
        flush(ctx) {
          events.push(`onTimer:${String(ctx.key)}`);
          ctx.output(`flushed ${String(ctx.key)}`);
        },
      },
      finishBundle() {
        events.push('finishBundle');
      },
    });
    const { out } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('a', 1), 100]).advanceWatermarkTo(5000).advanceWatermarkToInfinity())
        .apply(Window.into(FixedWindows(1000)))
        .apply('Timed', ParDo(fn))
        .apply(Capture.records<string>()),
    );
    expect(out.lines()).toEqual(['[0,1000) UNKNOWN #0 last "flushed a"']);
    const bundles = bundlesOf(['setup', ...events, 'teardown']);
    expect(bundles.flat()).toEqual(['process:a', 'onTimer:a']);
  });

  it('elements held back for a side input are processed inside a bundle too', async () => {
    const events: string[] = [];
    const { out } = await runWith(options, (p) => {
      const factor = View.asSingleton(p.apply('Factor', Create([10])));
      const fn: DoFn<number, number> = {
        startBundle() {
          events.push('startBundle');
        },
        process(e, ctx) {
          events.push(`process:${e}`);
          ctx.output(e * ctx.sideInput(factor));
        },
        finishBundle() {
          events.push('finishBundle');
        },
      };
      return p.apply('Main', Create([1, 2, 3])).apply('Scale', ParDo(fn).withSideInputs(factor)).apply(Capture.records<number>());
    });
    expect(out.values()).toEqual([10, 20, 30]);
    expect(bundlesOf(['setup', ...events, 'teardown']).flat()).toEqual(['process:1', 'process:2', 'process:3']);
  });

  it('awaits an async process before the next element, keeping order', async () => {
    let running = 0;
    let maxRunning = 0;
    const fn: DoFn<number, string> = {
      async process(e, ctx) {
        running++;
        maxRunning = Math.max(maxRunning, running);
        // later elements finish sooner if they were allowed to overlap
        await new Promise((r) => setTimeout(r, 8 - e));
        ctx.output(`a${e}`);
        await Promise.resolve();
        ctx.output(`b${e}`);
        running--;
      },
    };
    const { out } = await runWith(options, (p) => p.apply(Create([0, 1, 2, 3, 4, 5, 6, 7])).apply('Slow', ParDo(fn)).apply(Capture.records<string>()));
    expect(out.values()).toEqual([0, 1, 2, 3, 4, 5, 6, 7].flatMap((e) => [`a${e}`, `b${e}`]));
    expect(maxRunning).toBe(1);
  });

  it('keeps the element timestamp and window on output; outputWithTimestamp sets the timestamp', async () => {
    const fn: DoFn<string, string> = {
      process(e, ctx) {
        ctx.output(e);
        ctx.outputWithTimestamp(`${e}+1`, ctx.timestamp + 1);
      },
    };
    const { out } = await runWith(options, (p) =>
      p
        .apply(Create.timestamped([{ value: 'x', timestamp: 1234 }]))
        .apply(Window.into(FixedWindows(1000)))
        .apply(ParDo(fn))
        .apply(Capture.records<string>()),
    );
    expect(out.records.map((r) => [r.value, r.timestamp, r.window])).toEqual([
      ['x', 1234, intervalWindow(1000, 2000)],
      ['x+1', 1235, intervalWindow(1000, 2000)],
    ]);
  });

  it('routes ctx.outputTo(tag) to the outputs declared with withOutputs, and counts them', async () => {
    const fn: DoFn<number, number, { odd: number; big: string }> = {
      process(e, ctx) {
        if (e % 2 === 1) ctx.outputTo('odd', e);
        else ctx.output(e);
        if (e > 3) ctx.outputTo('big', `big ${e}`);
      },
    };
    const { out, result } = await runWith(options, (p) => {
      const outs = p.apply(Create([1, 2, 3, 4, 5])).apply('Split', ParDo(fn).withOutputs('odd', 'big'));
      return {
        main: outs.main.apply('Main', Capture.records<number>()),
        odd: outs.odd.apply('Odd', Capture.records<number>()),
        big: outs.big.apply('Big', Capture.records<string>()),
      };
    });
    expect(out.main.values()).toEqual([2, 4]);
    expect(out.odd.values()).toEqual([1, 3, 5]);
    expect(out.big.values()).toEqual(['big 4', 'big 5']);
    expect(result.metrics['Split']).toMatchObject({ elementsIn: 5, elementsOut: 7 });
  });

  it('tagged outputs and dead letters combine: withDeadLetters().withOutputs(...)', async () => {
    const fn: DoFn<string, number, { words: string }> = {
      process(e, ctx) {
        if (e === '') throw new Error('empty line');
        ctx.output(e.length);
        for (const w of e.split(' ')) ctx.outputTo('words', w);
      },
    };
    const { out, result } = await runWith(options, (p) => {
      const outs = p.apply(Create(['a bc', '', 'd'])).apply('Lines', ParDo(fn).withDeadLetters().withOutputs('words'));
      return {
        main: outs.main.apply('Main', Capture.records<number>()),
        words: outs.words.apply('Words', Capture.records<string>()),
        dead: outs.main.deadLetters().apply('Dead', Capture.records<DeadLetter>()),
      };
    });
    expect(out.main.values()).toEqual([4, 1]);
    expect(out.words.values()).toEqual(['a', 'bc', 'd']);
    expect(out.dead.values().map((d) => [d.step, d.reason, d.element, d.message])).toEqual([['Lines', 'user-code', '', 'empty line']]);
    expect(result.metrics['Lines']).toMatchObject({ elementsIn: 3, elementsOut: 5, deadLettered: 1 });
  });

  it('fails the run when a DoFn outputs to a tag it did not declare', async () => {
    const fn: DoFn<number, number, { odd: number; even: number }> = {
      process(e, ctx) {
        if (e % 2 === 0) ctx.outputTo('even', e);
        else ctx.outputTo('odd', e);
      },
    };
    const run = runWith(options, (p) => {
      const outs = p.apply(Create([1, 2])).apply('Split', ParDo(fn).withOutputs('odd'));
      outs.odd.apply(Capture.records());
    });
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).step).toBe('Split');
    expect((err as Error).message).toContain("output tag 'even' is not declared");
    expect((err as Error).message).toContain("withOutputs('even')");
    expect((err as Error).message).toContain('on element 2');
  });

  it.each(['toString', 'constructor', 'hasOwnProperty', '__proto__'])(
    "an undeclared tag named like an Object.prototype member ('%s') fails the run as undeclared, also with dead letters (before: every element a dead letter 'port.emitParts is not a function')",
    async (tag) => {
      const fn: DoFn<number, number> = {
        process(e, ctx) {
          (ctx as unknown as { outputTo(t: string, v: number): void }).outputTo(tag, e);
        },
      };
      const err = await runWith(options, (p) => {
        const outs = p.apply(Create([1, 2])).apply('Split', ParDo(fn).withDeadLetters());
        outs.deadLetters().apply('Dead', Capture.records());
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UserCodeError);
      expect((err as UserCodeError).step).toBe('Split');
      expect((err as Error).message).toContain(`output tag '${tag}' is not declared`);
    },
  );

  it("rejects '__proto__' as an output tag at construction (it cannot be a field of the outputs: its values would be lost)", async () => {
    const fn: DoFn<number, number, { __proto__: number }> = { process() {} };
    await expect(runWith(options, (p) => p.apply(Create([1])).apply(ParDo(fn).withOutputs('__proto__')))).rejects.toThrow(/'__proto__' cannot name an output/);
  });

  it.each([
    ['state', '__proto__', /'__proto__' cannot name a state cell/],
    ['timer', '__proto__', /'__proto__' cannot name a timer/],
    ['timer', '__gc', /'__gc' cannot name a timer/],
  ] as const)("rejects a %s named '%s' at construction (before: a '__proto__' value state kept nothing and its timer never fired; a cleared '__gc' timer fired anyway)", async (kind, name, message) => {
    const fn = statefulDoFn<KV<string, number>, string>()({
      ...(kind === 'state' ? { state: Object.fromEntries([[name, StateSpec.value<number>()]]) } : { timers: Object.fromEntries([[name, TimerSpec.eventTime()]]) }),
      process() {},
    });
    await expect(runWith(options, (p) => p.apply(Create([kv('k', 1)])).apply(ParDo(fn)))).rejects.toThrow(message);
  });

  it('declared tags named like Object.prototype members (constructor, toString) carry their values', async () => {
    const fn: DoFn<number, number, { constructor: number; toString: number }> = {
      process(e, ctx) {
        ctx.outputTo('constructor', e);
        ctx.outputTo('toString', -e);
      },
    };
    const { out } = await runWith(options, (p) => {
      const outs = p.apply(Create([1, 2])).apply('Split', ParDo(fn).withOutputs('constructor', 'toString'));
      return { c: outs.constructor.apply('C', Capture.records()), t: outs.toString.apply('T', Capture.records()) };
    });
    expect(out.c.sortedValues()).toEqual([1, 2]);
    expect(out.t.values().sort((a, b) => a - b)).toEqual([-2, -1]);
  });

  it('rejects reserved output tags at construction', async () => {
    const fn: DoFn<number, number, { late: number }> = { process() {} };
    await expect(runWith(options, (p) => p.apply(Create([1])).apply(ParDo(fn).withOutputs('late')))).rejects.toThrow(/'late' is a reserved output name/);
  });

  it('with withDeadLetters, a throwing element becomes a dead letter (reason user-code) and the run goes on', async () => {
    const fn: DoFn<string, number> = {
      process(e, ctx) {
        const n = JSON.parse(e) as number;
        if (n < 0) throw new RangeError(`negative: ${n}`);
        ctx.output(n);
      },
    };
    const { out, result } = await runWith(options, (p) => {
      const parsed = p
        .apply(
          Create.timestamped([
            { value: '1', timestamp: 1000 },
            { value: '{bad', timestamp: 2000 },
            { value: '-5', timestamp: 3500 },
            { value: '4', timestamp: 4000 },
          ]),
        )
        .apply(Window.into(FixedWindows(3000)))
        .apply('Parse', ParDo(fn).withDeadLetters());
      return { main: parsed.apply('Main', Capture.records<number>()), dead: parsed.deadLetters().apply('Dead', Capture.records<DeadLetter>()) };
    });
    expect(out.main.values()).toEqual([1, 4]);
    const dead = out.dead.values();
    expect(dead).toHaveLength(2);
    expect(dead[0]).toMatchObject({ step: 'Parse', reason: 'user-code', element: '{bad', timestamp: 2000, window: '[1970-01-01T00:00:00.000Z, 1970-01-01T00:00:03.000Z)' });
    expect(dead[0]!.message).toMatch(/JSON/);
    expect(dead[1]).toEqual({
      step: 'Parse',
      reason: 'user-code',
      message: 'negative: -5',
      element: '-5',
      timestamp: 3500,
      window: '[1970-01-01T00:00:03.000Z, 1970-01-01T00:00:06.000Z)',
    });
    // dead letters keep the failing element's timestamp and window
    expect(out.dead.records.map((r) => [r.timestamp, r.window])).toEqual([
      [2000, intervalWindow(0, 3000)],
      [3500, intervalWindow(3000, 6000)],
    ]);
    expect(result.metrics['Parse']).toMatchObject({ elementsIn: 4, elementsOut: 2, deadLettered: 2 });
  });

  it('with withDeadLetters, a rejected async process becomes a dead letter too', async () => {
    const fn: DoFn<number, number> = {
      async process(e, ctx) {
        await Promise.resolve();
        if (e === 2) throw new Error('async boom');
        ctx.output(e);
      },
    };
    const { out } = await runWith(options, (p) => {
      const r = p.apply(Create([1, 2, 3])).apply('Async', ParDo(fn).withDeadLetters());
      return { main: r.apply('Main', Capture.records<number>()), dead: r.deadLetters().apply('Dead', Capture.records<DeadLetter>()) };
    });
    expect(out.main.values()).toEqual([1, 3]);
    expect(out.dead.values().map((d) => [d.element, d.reason, d.message])).toEqual([[2, 'user-code', 'async boom']]);
  });

  it('without dead letters, an exception rejects run() with a UserCodeError naming step, element and window', async () => {
    const cause = new TypeError('cannot read field');
    const fn: DoFn<{ id: number }, number> = {
      process(e, ctx) {
        if (e.id === 2) throw cause;
        ctx.output(e.id);
      },
    };
    const err = await runWith(options, (p) =>
      p
        .apply(
          Create.timestamped([
            { value: { id: 1 }, timestamp: 1000 },
            { value: { id: 2 }, timestamp: 4000 },
          ]),
        )
        .apply(Window.into(FixedWindows(3000)))
        .apply('Enrich', ParDo(fn))
        .apply(Capture.records<number>()),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    const u = err as UserCodeError;
    expect(u.step).toBe('Enrich');
    expect(u.cause).toBe(cause);
    expect(u.element).toBe('{"id":2}');
    expect(u.window).toBe('[1970-01-01T00:00:03.000Z, 1970-01-01T00:00:06.000Z)');
    expect(u.timestamp).toBe(4000);
    expect(u.message).toContain("step 'Enrich'");
    expect(u.message).toContain('{"id":2}');
    expect(u.message).toContain('[1970-01-01T00:00:03.000Z, 1970-01-01T00:00:06.000Z)');
    expect(u.message).toContain('cannot read field');
  });

  it('shortens a huge element in the error to at most 200 characters', async () => {
    const fn: DoFn<typeof HUGE, number> = {
      process() {
        throw new Error('too big to handle');
      },
    };
    const err = (await runWith(options, (p) => p.apply(Create([HUGE])).apply('Big', ParDo(fn))).then(
      () => undefined,
      (e: unknown) => e,
    )) as UserCodeError;
    expect(err).toBeInstanceOf(UserCodeError);
    expect(err.element.length).toBeLessThanOrEqual(200);
    expect(err.element.startsWith('{"id":7,"blob":"xxxx')).toBe(true);
    expect(err.message.length).toBeLessThan(400);
    expect(err.message).toContain("step 'Big'");
    expect(err.message).toContain('GlobalWindow');
    expect(err.message).toContain('too big to handle');
  });

  it('a rejected async process without dead letters rejects the run with a UserCodeError', async () => {
    const fn: DoFn<number, number> = {
      async process(e) {
        await new Promise((r) => setTimeout(r, 1));
        if (e === 3) throw new Error('late failure');
      },
    };
    const err = await runWith(options, (p) => p.apply(Create([1, 2, 3])).apply('AsyncFail', ParDo(fn))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).step).toBe('AsyncFail');
    expect((err as UserCodeError).element).toBe('3');
  });

  it('still tears the DoFn down after a failure', async () => {
    const fn = new RecordingFn();
    fn.process = (e: number) => {
      fn.events.push(`process:${e}`);
      throw new Error('nope');
    };
    await expect(runWith(options, (p) => p.apply(Create([1])).apply(ParDo(fn)))).rejects.toBeInstanceOf(UserCodeError);
    expect(fn.events[0]).toBe('setup');
    expect(fn.events).toContain('process:1');
    expect(fn.events[fn.events.length - 1]).toBe('teardown');
  });

  it('a failing setup rejects the run naming the step; DoFns that were never set up are not torn down', async () => {
    const failing = new RecordingFn();
    failing.setup = () => {
      failing.events.push('setup');
      throw new Error('no connection');
    };
    const later = new RecordingFn();
    const err = await runWith(options, (p) => p.apply(Create([1])).apply('Connect', ParDo(failing)).apply('Later', ParDo(later))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as Error).message).toContain("step 'Connect' failed in setup");
    expect((err as Error).message).toContain('no connection');
    expect(failing.events).toEqual(['setup', 'teardown']);
    expect(later.events).toEqual([]);
  });

  it('a failing finishBundle rejects the run naming the step and the phase', async () => {
    const fn: DoFn<number, number> = {
      process() {},
      finishBundle() {
        throw new Error('flush failed');
      },
    };
    const err = await runWith(options, (p) => p.apply(Create([1])).apply('Sink', ParDo(fn))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as Error).message).toContain("step 'Sink' failed in finishBundle");
    expect((err as Error).message).toContain('flush failed');
  });

  it('reports user counters and distributions per step in result.metrics', async () => {
    const fn: DoFn<number, number> = {
      startBundle(ctx) {
        ctx.metrics.counter('bundles').inc();
      },
      process(e, ctx) {
        ctx.metrics.counter('seen').inc();
        if (e % 2 === 0) ctx.metrics.counter('evenSum').inc(e);
        ctx.metrics.distribution('size').update(e);
        ctx.output(e);
      },
    };
    const { result } = await runWith(options, (p) => p.apply(Create([3, 4, 10, -2, 7])).apply('Measure', ParDo(fn)));
    const m = result.metrics['Measure']!;
    expect(m.counters['seen']).toBe(5);
    expect(m.counters['evenSum']).toBe(12);
    expect(m.counters['bundles']).toBeGreaterThanOrEqual(1);
    if (label === 'native(bundle=1)') expect(m.counters['bundles']).toBe(5);
    expect(m.distributions['size']).toEqual({ count: 5, sum: 22, min: -2, max: 10 });
    expect(m).toMatchObject({ elementsIn: 5, elementsOut: 5, deadLettered: 0 });
  });
});

describe('ParDo programming errors', () => {
  it('an undeclared output tag fails the run even with dead letters enabled', async () => {
    const fn: DoFn<number, number, { other: number }> = {
      process(e, ctx) {
        ctx.outputTo('other', e);
      },
    };
    const err = await runWith({ runner: 'native' }, (p) => p.apply(Create([1])).apply('Emit', ParDo(fn).withDeadLetters()).apply(Capture.records())).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as Error).message).toContain("output tag 'other' is not declared");
  });
});

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('ParDo finishBundle outputs on $label', ({ options }) => {
  it('finishBundle emits with the timestamp and window it names, not the last element’s', async () => {
    let sum = 0;
    const fn: DoFn<number, number> = {
      process(e) {
        sum += e;
      },
      finishBundle(ctx) {
        if (sum > 0) ctx.output(sum, 50, intervalWindow(0, 100));
        sum = 0;
      },
    };
    const { out } = await runWith(options, (p) =>
      p
        .apply(Create.timestamped([{ value: 1, timestamp: 2500 }, { value: 2, timestamp: 2600 }]))
        .apply(Window.into<number>(FixedWindows(1000)))
        .apply('SumPerBundle', ParDo(fn))
        .apply(Capture.records()),
    );
    expect(out.records.reduce((a, r) => a + r.value, 0)).toBe(3);
    for (const r of out.records) {
      expect(r.timestamp).toBe(50);
      expect(r.window).toEqual(intervalWindow(0, 100));
    }
  });
});
