import { describe, expect, it } from 'vitest';
import { bufferUntilWindowEnd, sumAtWindowEnd } from '../../capability-matrix/support/window-end-timers.js';
import '../../runners/index.js';
import { MicroBatchRunner } from '../../runners/microbatch/microbatch-runner.js';
import { NativeRunner } from '../../runners/native/native-runner.js';
import { InMemoryStateBackend } from '../../runners/core/state/state-backend.js';
import { statefulDoFn } from '../../sdk/dofn.js';
import { PipelineConstructionError, UserCodeError } from '../../sdk/errors.js';
import { encodeKey, kv, type KV } from '../../sdk/kv.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { StateSpec, TimerSpec } from '../../sdk/state.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { TIMESTAMP_MIN } from '../../sdk/time.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { Count } from '../../transforms/combiners/count.js';
import { sumFn } from '../../transforms/combiners/sum.js';
import { Create } from '../../transforms/create.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { inRunOrder, oneInstance, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';
import { runningCount } from '../support/running-count.js';

type Ev = KV<string, number>;

/** Runs a pipeline on the configured runner with a state backend the test keeps a reference to. */
async function runWithBackend<T>(options: Partial<PipelineOptions>, build: (p: Pipeline, backend: InMemoryStateBackend) => T) {
  const backend = new InMemoryStateBackend();
  const p = Pipeline.create(options);
  const out = build(p, backend);
  const runner = p.options.runner === 'microbatch' ? new MicroBatchRunner() : new NativeRunner();
  const result = await runner.start(p.graph(), p.options, backend).done;
  return { out, result, backend };
}

/** The key, window and value of each output, for compact assertions. */
const kvw = (r: { value: KV<string, unknown>; window: { id: string } }) => `${r.window.id} ${r.value.key}=${JSON.stringify(r.value.value)}`;

/** Value state as a counter: outputs each element's key with how many elements of its key (and window) it has seen. */
const counter = runningCount((e: Ev, n) => kv(e.key, n));

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('state and timers on $label', ({ label, options }) => {
  it('value state: a counter per key', async () => {
    const { out, result } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<Ev>().addElements([kv('a', 0), 1], [kv('b', 0), 2], [kv('a', 0), 3]).advanceWatermarkTo(10).addElements([kv('a', 0), 11], [kv('b', 0), 12]))
        .apply('Counter', ParDo(counter))
        .apply(Capture.records<KV<string, number>>()),
    );
    // outputs keep the input's timestamp and window
    expect(inRunOrder(options, out.records.map((r) => [r.value, r.timestamp]))).toEqual(
      inRunOrder(options, [[kv('a', 1), 1], [kv('b', 1), 2], [kv('a', 2), 3], [kv('a', 3), 11], [kv('b', 2), 12]]),
    );
    expect(out.records.every((r) => r.window.kind === 'global' && r.pane.timing === 'UNKNOWN')).toBe(true);
    expect(result.metrics['Counter']?.elementsIn).toBe(5);
  });

  it('bag state buffers per key and window and is flushed by an event-time timer at the window end', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(
          TestStream.create<Ev>()
            .addElements([kv('a', 3), 100], [kv('b', 1), 300], [kv('a', 1), 200], [kv('a', 7), 1500])
            .advanceWatermarkTo(999) // not yet past [0,1000)
            .addElements([kv('a', 2), 900])
            .advanceWatermarkTo(1000) // fires the [0,1000) timers
            .addElements([kv('b', 5), 1999])
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into(FixedWindows(1000)))
        .apply('Buffer', ParDo(bufferUntilWindowEnd))
        .apply(Capture.records<KV<string, number[]>>()),
    );
    const lines = out.lines();
    expect(lines.slice(0, 2).sort()).toEqual(['[0,1000) UNKNOWN #0 last {"key":"a","value":[1,2,3]}', '[0,1000) UNKNOWN #0 last {"key":"b","value":[1]}']);
    expect(lines.slice(2).sort()).toEqual(['[1000,2000) UNKNOWN #0 last {"key":"a","value":[7]}', '[1000,2000) UNKNOWN #0 last {"key":"b","value":[5]}']);
    // a timer's output gets the timer's time as timestamp
    expect(out.records.map((r) => r.timestamp)).toEqual([999, 999, 1999, 1999]);
  });

  it('combining state keeps a running aggregate', async () => {
    const running = statefulDoFn({
      state: { sum: StateSpec.combining(sumFn()) },
      process(e: Ev, ctx) {
        ctx.state.sum.add(e.value);
        ctx.output(kv(e.key, ctx.state.sum.read()));
      },
    });
    const { out } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<Ev>().addElements([kv('a', 5), 1], [kv('b', 1), 1], [kv('a', 10), 2], [kv('a', -3), 3], [kv('b', 4), 4]))
        .apply(ParDo(running))
        .apply(Capture.records<KV<string, number>>()),
    );
    expect(inRunOrder(options, out.values())).toEqual(inRunOrder(options, [kv('a', 5), kv('b', 1), kv('a', 15), kv('a', 12), kv('b', 5)]));
  });

  it('combining state reads the empty aggregate before any input, and clear() resets it', async () => {
    const fn = statefulDoFn({
      state: { sum: StateSpec.combining(sumFn()) },
      process(e: Ev, ctx) {
        const before = ctx.state.sum.read();
        if (e.value < 0) ctx.state.sum.clear();
        else ctx.state.sum.add(e.value);
        ctx.output(kv(e.key, [before, ctx.state.sum.read()]));
      },
    });
    const { out } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<Ev>().addElements([kv('a', 2), 1], [kv('a', 3), 2], [kv('a', -1), 3], [kv('a', 4), 4]))
        .apply(ParDo(fn))
        .apply(Capture.records<KV<string, number[]>>()),
    );
    expect(out.values().map((v) => v.value)).toEqual([
      [0, 2],
      [2, 5],
      [5, 0],
      [0, 4],
    ]);
  });

  it('map state: put, get, remove and entries per key; 1 and "1" are different map keys', async () => {
    const fn = statefulDoFn({
      state: { seen: StateSpec.map<string | number, number>() },
      timers: { report: TimerSpec.eventTime() },
      process(e: KV<string, string | number>, ctx) {
        if (e.value === 'drop') {
          ctx.state.seen.remove('x');
          return;
        }
        ctx.state.seen.put(e.value, (ctx.state.seen.get(e.value) ?? 0) + 1);
        ctx.timers.report.set(ctx.window.maxTimestamp);
      },
      onTimer: {
        report(ctx) {
          const entries = [...ctx.state.seen.entries()].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
          ctx.output(kv(ctx.key as string, entries));
        },
      },
    });
    const { out } = await runWith(options, (p) =>
      p
        .apply(
          TestStream.create<KV<string, string | number>>().addElements(
            [kv('k', 'x'), 1],
            [kv('k', 1), 2],
            [kv('k', '1'), 3],
            [kv('k', 1), 4],
            [kv('j', 'x'), 5],
            [kv('k', 'x'), 6],
            [kv('k', 'y'), 7],
            [kv('k', 'drop'), 8],
          ),
        )
        .apply(ParDo(fn))
        .apply(Capture.records<KV<string, [string | number, number][]>>()),
    );
    expect(out.sortedValues()).toEqual([
      kv('j', [['x', 1]]),
      kv('k', [
        ['1', 1],
        ['y', 1],
        [1, 2],
      ]),
    ]);
  });

  // A TestStream starting at a real date: micro-batch jumps to the boundaries that have work instead
  // of running every batch interval since 1970 (which took hours).
  it.each([
    ['0', 0],
    ['2018-01-01', Date.UTC(2018, 0, 1)],
  ])('processing-time timers (offset from now) fire on the virtual clock; micro-batch: at batch boundaries (start %s)', async (_label, start) => {
    const fn = statefulDoFn({
      state: { first: StateSpec.value<number>() },
      timers: { ping: TimerSpec.processingTime() },
      process(e: Ev, ctx) {
        ctx.state.first.write(ctx.processingTime);
        ctx.timers.ping.offset(1300);
      },
      onTimer: {
        ping(ctx) {
          expect(ctx.domain).toBe('processing');
          ctx.output(kv(ctx.key as string, { setAt: ctx.state.first.read()!, firedAt: ctx.processingTime }));
        },
      },
    });
    const { out } = await runWith(options, (p) =>
      p
        .apply(
          TestStream.create<Ev>({ startTime: start })
            .addElements([kv('a', 0), start]) // clock start: timer at start + 1300
            .advanceProcessingTime(1300)
            .addElements([kv('b', 0), start]) // clock start + 1300: timer at start + 2600
            .advanceProcessingTime(1300)
            .advanceProcessingTime(1400)
            .advanceWatermarkToInfinity(),
        )
        .apply(ParDo(fn))
        .apply(Capture.records<KV<string, { setAt: number; firedAt: number }>>()),
    );
    const interval = options.batchInterval;
    if (options.runner === 'native' || interval === 'asap') {
      // native (and micro-batch 'asap', which starts a batch at every clock step) processes each
      // element at its arrival time and fires each timer at exactly its time
      expect(out.values()).toEqual([kv('a', { setAt: start, firedAt: start + 1300 }), kv('b', { setAt: start + 1300, firedAt: start + 2600 })]);
      expect(out.records.map((r) => r.emittedAt)).toEqual([start + 1300, start + 2600]);
    } else {
      // a timed micro-batch processes the elements it gathered during [k*I, (k+1)*I) at the batch end
      // (k+1)*I, and fires a timer at the first batch boundary at or after its time
      const I = interval as number;
      const processedAt = (arrival: number) => Math.floor(arrival / I) * I + I;
      const firedAt = (setAt: number) => Math.ceil((setAt + 1300) / I) * I;
      // (2018-01-01 is a multiple of both intervals)
      const a = processedAt(start);
      const b = processedAt(start + 1300);
      expect(out.values()).toEqual([kv('a', { setAt: a, firedAt: firedAt(a) }), kv('b', { setAt: b, firedAt: firedAt(b) })]);
      expect(out.records.map((r) => r.emittedAt)).toEqual([firedAt(a), firedAt(b)]);
      if (label === 'microbatch(1s)') expect(out.records.map((r) => [r.value.value.setAt, r.emittedAt])).toEqual([[start + 1000, start + 3000], [start + 2000, start + 4000]]);
      if (label === 'microbatch(250ms)') expect(out.records.map((r) => [r.value.value.setAt, r.emittedAt])).toEqual([[start + 250, start + 1750], [start + 1500, start + 3000]]);
    }
    // the output of a processing-time timer is stamped with the input watermark (still -inf here)
    expect(out.records.map((r) => r.timestamp)).toEqual([TIMESTAMP_MIN, TIMESTAMP_MIN]);
  });

  it('resetting a timer moves it; clearing it cancels it', async () => {
    const fn = statefulDoFn({
      timers: { t: TimerSpec.eventTime() },
      process(e: Ev, ctx) {
        if (e.value < 0) ctx.timers.t.clear();
        else ctx.timers.t.set(e.value);
      },
      onTimer: {
        t(ctx) {
          ctx.output(kv(ctx.key as string, ctx.timestamp));
        },
      },
    });
    const { out } = await runWith(options, (p) =>
      p
        .apply(
          TestStream.create<Ev>()
            .addElements([kv('a', 500), 0], [kv('a', 800), 1], [kv('b', 600), 2], [kv('b', -1), 3], [kv('c', 700), 4])
            .advanceWatermarkTo(750)
            .advanceWatermarkToInfinity(),
        )
        .apply(ParDo(fn))
        .apply(Capture.records<KV<string, number>>()),
    );
    // a's timer moved from 500 to 800; b's was cleared; c's fires first, at watermark 750
    expect(out.values()).toEqual([kv('c', 700), kv('a', 800)]);
  });

  it('outputs of an event-time timer are not late downstream: pending timers hold the output watermark', async () => {
    const { out, result } = await runWith(options, (p) =>
      p
        .apply(
          TestStream.create<Ev>()
            .addElements([kv('a', 1), 100], [kv('a', 2), 200], [kv('b', 4), 300])
            .advanceWatermarkTo(5000) // far past the window: the timer outputs (at 999) must still count
            .addElements([kv('a', 8), 5100])
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into(FixedWindows(1000)))
        .apply('Buffer', ParDo(sumAtWindowEnd))
        .apply(Count.perKey())
        .apply(Capture.records<KV<string, number>>()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last {"key":"a","value":1}',
      '[0,1000) ON_TIME #0 last {"key":"b","value":1}',
      '[5000,6000) ON_TIME #0 last {"key":"a","value":1}',
    ]);
    expect(result.metrics['Count.perKey']?.lateDropped).toBe(0);
  });

  it('a timer callback may set its timer again (a periodic event-time timer within the window)', async () => {
    const ticker = statefulDoFn({
      state: { ticks: StateSpec.bag<number>() },
      timers: { tick: TimerSpec.eventTime() },
      process(_e: Ev, ctx) {
        if (ctx.state.ticks.isEmpty()) {
          ctx.state.ticks.add(-1);
          ctx.timers.tick.set(ctx.window.maxTimestamp - 750);
        }
      },
      onTimer: {
        tick(ctx) {
          ctx.state.ticks.add(ctx.timestamp);
          ctx.output(kv(ctx.key as string, ctx.timestamp));
          if (ctx.timestamp + 250 <= ctx.window.maxTimestamp) ctx.timers.tick.offset(250);
        },
      },
    });
    const { out } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<Ev>().addElements([kv('a', 0), 10]).advanceWatermarkTo(600).addElements([kv('a', 0), 620]).advanceWatermarkToInfinity())
        .apply(Window.into(FixedWindows(1000)))
        .apply(ParDo(ticker))
        .apply(Capture.records<KV<string, number>>()),
    );
    expect(out.values()).toEqual([kv('a', 249), kv('a', 499), kv('a', 749), kv('a', 999)]);
    expect(out.records.map((r) => r.timestamp)).toEqual([249, 499, 749, 999]);
  });

  // Parallelism 1 only: it asserts the firing order across 10,000 keys, which each of several instances keeps for its own keys only.
  it.runIf(oneInstance(options))('10,000 event-time timers due at once (one per key, then the end of the input) all fire, earliest first', async () => {
    const N = 10_000;
    // expiry times in a scrambled order (7919 is prime), so arrival order is not firing order
    const expiry = (i: number) => 1000 + ((i * 7919) % N);
    const expire = statefulDoFn({
      timers: { expire: TimerSpec.eventTime() },
      process(e: KV<number, number>, ctx) {
        ctx.timers.expire.set(e.value);
      },
      onTimer: {
        expire(ctx) {
          ctx.output(ctx.key as number);
        },
      },
    });
    const { out, result } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<KV<number, number>>().addElements(...Array.from({ length: N }, (_, i) => ({ value: kv(i, expiry(i)), timestamp: i }))))
        .apply('Expire', ParDo(expire))
        .apply(Capture.records<number>()),
    );
    expect(result.metrics['Expire']?.elementsOut).toBe(N);
    const times = out.records.map((r) => r.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(out.values()).size).toBe(N);
    expect(out.records.every((r, i) => expiry(r.value) === times[i])).toBe(true);
  });

  it('a timer set while firing that is due too fires in the same pass, in timestamp order', async () => {
    const chain = statefulDoFn({
      timers: { first: TimerSpec.eventTime(), then: TimerSpec.eventTime() },
      process(e: Ev, ctx) {
        ctx.timers.first.set(e.value);
      },
      onTimer: {
        first(ctx) {
          ctx.output(`${ctx.key as string}.first@${ctx.timestamp}`);
          // due at once (the watermark is past it), and before b's and c's timers
          if (ctx.key === 'a') ctx.timers.then.set(ctx.timestamp + 50);
        },
        then(ctx) {
          ctx.output(`${ctx.key as string}.then@${ctx.timestamp}`);
        },
      },
    });
    const { out } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<Ev>().addElements([kv('c', 200), 1], [kv('a', 100), 2], [kv('b', 120), 3]).advanceWatermarkToInfinity())
        .apply(ParDo(chain))
        .apply(Capture.records<string>()),
    );
    expect(inRunOrder(options, out.values())).toEqual(inRunOrder(options, ['a.first@100', 'b.first@120', 'a.then@150', 'c.first@200']));
    // all in the one pass at the end of the input
    expect(new Set(out.records.map((r) => r.emittedAt)).size).toBe(1);
  });

  it('an onTimer that throws among thousands of due timers fails the run naming the step, the key and the window', async () => {
    const N = 8000;
    const fn = statefulDoFn({
      timers: { expire: TimerSpec.eventTime() },
      process(e: KV<number, number>, ctx) {
        ctx.timers.expire.set(e.value);
      },
      onTimer: {
        expire(ctx) {
          if (ctx.key === 4321) throw new Error('bad key');
        },
      },
    });
    const run = runWith(options, (p) =>
      p.apply(TestStream.create<KV<number, number>>().addElements(...Array.from({ length: N }, (_, i) => ({ value: kv(i, 1000 + i), timestamp: i })))).apply('Expire', ParDo(fn)),
    );
    await expect(run).rejects.toBeInstanceOf(UserCodeError);
    await expect(run).rejects.toMatchObject({ step: 'Expire', element: '4321', timestamp: 5321 });
    await expect(run).rejects.toThrow(/step 'Expire' failed in onTimer\.expire on element 4321 in window GlobalWindow.*bad key/);
  });

  it('state is per key AND per window', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<Ev>().addElements([kv('a', 0), 100], [kv('a', 0), 1100], [kv('b', 0), 150], [kv('a', 0), 200], [kv('a', 0), 1200], [kv('a', 0), 300]))
        .apply(Window.into(FixedWindows(1000)))
        .apply(ParDo(counter))
        .apply(Capture.records<KV<string, number>>()),
    );
    expect(inRunOrder(options, out.records.map(kvw))).toEqual(inRunOrder(options, ['0:1000 a=1', '1000:2000 a=1', '0:1000 b=1', '0:1000 a=2', '1000:2000 a=2', '0:1000 a=3']));
  });

  // Parallelism 1 only: it reads the state backend given to the run, which a parallel run does not use (each instance has its own).
  it.runIf(oneInstance(options))('state is garbage collected once its window expires, and nothing leaks into the next window', async () => {
    let step = '';
    const seen: string[] = [];
    const { out, backend } = await runWithBackend(options, (p, backend) => {
      const counter = statefulDoFn({
        state: { n: StateSpec.value<number>() },
        process(e: Ev, ctx) {
          // what the backend holds for this key when the element arrives
          const table = backend.table<{ w: { id: string } }>(step, 'user');
          const live = [...(table.namespaces(encodeKey(e.key))?.keys() ?? [])].sort();
          seen.push(`${ctx.window.id}: ${live.join(',') || '-'}`);
          const n = (ctx.state.n.read() ?? 0) + 1;
          ctx.state.n.write(n);
          ctx.output(kv(e.key, n));
        },
      });
      const windowed = p
        .apply(
          TestStream.create<Ev>()
            .addElements([kv('a', 0), 100], [kv('a', 0), 200])
            .advanceWatermarkTo(500)
            .addElements([kv('a', 0), 1100])
            .advanceWatermarkTo(1000) // [0,1000) expires (allowed lateness 0)
            .addElements([kv('a', 0), 1200], [kv('a', 0), 2100])
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into(FixedWindows(1000)));
      const counted = windowed.apply('Counter', ParDo(counter));
      step = 'Counter';
      return counted.apply(Capture.records<KV<string, number>>());
    });
    expect(out.records.map(kvw)).toEqual(['0:1000 a=1', '0:1000 a=2', '1000:2000 a=1', '1000:2000 a=2', '2000:3000 a=1']);
    expect(seen).toEqual([
      '0:1000: -',
      '0:1000: 0:1000',
      '1000:2000: 0:1000',
      // the watermark passed the end of [0,1000): its state is gone
      '1000:2000: 1000:2000',
      '2000:3000: 1000:2000',
    ]);
    expect(backend.size()).toBe(0);
  });

  it('a stateful DoFn rejects non-KV input with a UserCodeError naming the step', async () => {
    const fn = statefulDoFn({
      state: { n: StateSpec.value<number>() },
      process(_e: number, ctx) {
        ctx.state.n.write(1);
      },
    });
    const run = runWith(options, (p) => p.apply(Create([1, 2])).apply('NeedsKeys', ParDo(fn)));
    await expect(run).rejects.toBeInstanceOf(UserCodeError);
    await expect(run).rejects.toMatchObject({ step: 'NeedsKeys', element: '1' });
    await expect(run).rejects.toThrow(/step 'NeedsKeys'.*KV/);
  });

  it('a stateful ParDo after merging windows (Sessions) is accepted; one after a merging WindowFn without mergeWindows() fails at construction', () => {
    // (until issue #15 every stateful ParDo after merging windows was refused here)
    const fn = statefulDoFn({
      state: { n: StateSpec.value<number>() },
      process(_e: Ev, ctx) {
        ctx.state.n.write(1);
      },
    });
    const p = Pipeline.create(options);
    const input = p.apply(TestStream.create<string>().addElements(['a', 1]));
    const sessions = input.apply(Window.into<string>(Sessions(1000))).apply(WithKeys((s: string) => s.length));
    expect(() => sessions.apply('Stateful', ParDo(fn as never))).not.toThrow();
    const broken = { ...Sessions(1000), name: 'NoMerge', mergeWindows: undefined };
    const unmergeable = input.apply('Broken', Window.into<string>(broken)).apply('Keys2', WithKeys((s: string) => s.length));
    expect(() => unmergeable.apply('Stateful2', ParDo(fn as never))).toThrow(PipelineConstructionError);
    expect(() => unmergeable.apply('Stateful3', ParDo(fn as never))).toThrow(/step 'Stateful3'.*NoMerge.*mergeWindows/);
  });

  it('after grouping, a stateful ParDo over session windows runs per grouped session (it merges nothing again)', async () => {
    const fn = statefulDoFn({
      state: { panes: StateSpec.value<number>() },
      process(e: KV<string, string[]>, ctx) {
        const n = (ctx.state.panes.read() ?? 0) + 1;
        ctx.state.panes.write(n);
        ctx.output(kv(e.key, { pane: n, size: e.value.length }));
      },
    });
    const { out } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<string>().addElements(['a', 0], ['b', 100], ['a', 500], ['a', 3000]).advanceWatermarkToInfinity())
        .apply(Window.into<string>(Sessions(1000)))
        .apply(WithKeys((s: string) => s))
        .apply(GroupByKey<string, string>())
        .apply('PerSession', ParDo(fn))
        .apply(Capture.records<KV<string, { pane: number; size: number }>>()),
    );
    expect(out.records.map(kvw).sort()).toEqual(['0:1500 a={"pane":1,"size":2}', '100:1100 b={"pane":1,"size":1}', '3000:4000 a={"pane":1,"size":1}']);
  });

  it('grouped session windows stay usable by a stateful ParDo after Window.configure(), and after Window.into(Sessions) again', () => {
    const fn = statefulDoFn({
      state: { n: StateSpec.value<number>() },
      process(_e: KV<string, string[]>, ctx) {
        ctx.state.n.write(1);
      },
    });
    const p = Pipeline.create(options);
    const grouped = p
      .apply(TestStream.create<string>().addElements(['a', 1]))
      .apply(Window.into<string>(Sessions(1000)))
      .apply(WithKeys((s: string) => s))
      .apply(GroupByKey<string, string>());
    expect(() => grouped.apply('Lateness', Window.configure<KV<string, string[]>>().withAllowedLateness(10)).apply('A', ParDo(fn))).not.toThrow();
    // (until issue #15 this one was refused: state after merging windows)
    expect(() => grouped.apply('Rewindow', Window.into<KV<string, string[]>>(Sessions(500))).apply('B', ParDo(fn))).not.toThrow();
  });
});
