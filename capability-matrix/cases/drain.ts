import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../sdk/clock.js';
import type { KV } from '../../sdk/kv.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineResult, PipelineRun } from '../../sdk/runner.js';
import { CommittedCapture, CommittedStore } from '../../sdk/testing/committed-capture.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { Count } from '../../transforms/combiners/count.js';
import { MapElements } from '../../transforms/map.js';
import { Read } from '../../transforms/read.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { eq, expectAll } from '../check.js';
import { defineCase, type Capability, type CaseRun } from '../model.js';
import { countsAndTimers, idleAfter, totalCount } from '../support/stop-scenarios.js';

/**
 * The Drain row: a run is stopped from inside its own pipeline (`RunControl.stop`, i.e.
 * `PipelineRun.stop`) before its input ends. A drain must end DRAINED with every window's last pane
 * and every event-time timer fired, every element read counted once; a stop without drain must end
 * STOPPED and its resumed run must complete the output exactly. The scenarios are shared with
 * test/checkpoint/stop-drain.test.ts (support/stop-scenarios.ts).
 */

const SOURCE = 'cases/drain.ts';

/** Small batches and bundles, so the stop falls in the middle of the input. */
const SMALL = { maxBatchSize: 500, bundleSize: 250, bufferSize: 500 } as const;
/** Checkpoints only when the run stops. */
const NO_PERIODIC = 3_600_000;
/** Real-time guard for the runs `prepare` makes (the harness guards the measured run). */
const PREPARE_TIMEOUT_MS = 20_000;

const tmp = () => join(mkdtempSync(join(tmpdir(), 'watershed-matrix-drain-')), 'ck');
const withCheckpoints = (dir: string): Partial<PipelineOptions> => ({ ...SMALL, checkpointDir: dir, checkpointInterval: NO_PERIODIC });

/** The committed panes of the counts: one per key and window, each the last of its window. */
function finalPanesOnly(counts: CommittedStore<unknown>, read: number): (string | undefined)[] {
  const windows = counts.records.map((r) => `${(r.value as KV<string, number>).key} ${r.window.id}`);
  return [
    eq('elements counted (sum of the committed counts)', totalCount(counts), read),
    eq('panes (5 keys × every 1 s window read into)', counts.records.length, 5 * Math.ceil(read / 1000)),
    eq('key-windows that fired more than once', windows.length - new Set(windows).size, 0),
    eq('panes that are not the last of their window', counts.records.filter((r) => !r.pane.isLast).length, 0),
  ];
}

const TIMERS = ['k0 timer', 'k1 timer', 'k2 timer', 'k3 timer', 'k4 timer'];

interface Stores {
  readonly counts: CommittedStore<unknown>;
  readonly timers: CommittedStore<unknown>;
}

const drainEndless = (name: string, notes: string, check: (run: CaseRun<Stores>) => (string | undefined)[]) =>
  defineCase<Stores, string>({
    name,
    notes,
    ends: 'DRAINED',
    prepare: async () => tmp(),
    options: withCheckpoints,
    build(p, _dir, control) {
      const stores = { counts: new CommittedStore<unknown>(), timers: new CommittedStore<unknown>() };
      countsAndTimers(p, Number.POSITIVE_INFINITY, stores.counts, stores.timers, (i) => i === 5000 && control.stop({ drain: true }));
      return stores;
    },
    check: (run) => expectAll(eq('checkpoints taken', run.result.checkpoints?.taken.map((t) => t.kind), ['drained']), ...check(run)),
  });

const ENDLESS =
  'Generate (endless: element i at event time i ms, keys k0..k4) → counts per key in 1 s windows, and a stateful DoFn setting an event-time timer an hour after each key’s latest element; ' +
  'with a checkpoint directory, stop({drain: true}) asked for when element 5,000 goes by.';

/** What the stop-and-resume cases' `prepare` leaves. */
interface Stopped extends Stores {
  readonly dir: string;
  /** Elements the stopped run took. */
  readonly read: number;
  /** What went wrong before the measured run, if anything (the stopped run did not stop as asked). */
  readonly premise?: string;
  /** For the bounded case: what an uninterrupted run commits. */
  readonly expected?: { readonly counts: readonly string[]; readonly timers: readonly string[] };
  /** For the bounded case: elements the measured (resumed) run read, counted as they go by. */
  resumedRead?: number;
}

/**
 * Runs countsAndTimers on the measured runner, asking for `stop` (no drain) at element 5,000, and
 * returns the result with what went wrong, if anything (a runner without `stop` is cancelled at once).
 */
async function runStopped(runner: string, count: number, dir: string, stores: Stores): Promise<{ result: PipelineResult; premise?: string }> {
  const p = Pipeline.create({ runner, clock: new VirtualClock(0), signal: AbortSignal.timeout(PREPARE_TIMEOUT_MS), ...withCheckpoints(dir) });
  let run: PipelineRun | undefined;
  countsAndTimers(p, count, stores.counts, stores.timers, (i) => {
    if (i === 5000) void run!.stop!();
  });
  run = p.start();
  if (!run.stop) {
    run.cancel();
    return { result: await run.done, premise: 'the runner cannot stop a run gracefully (PipelineRun.stop is undefined)' };
  }
  const result = await run.done;
  if (result.state !== 'STOPPED') return { result, premise: `the first run, asked to stop without drain, ended ${result.state}` };
  const premise = eq('checkpoints the stopped run took', result.checkpoints?.taken.map((t) => t.kind), ['final']);
  return premise ? { result, premise } : { result };
}

const resumeBounded = defineCase<Stopped, Stopped>({
  name: 'stop without drain, then resume: the two runs together commit exactly what an uninterrupted run commits',
  notes:
    'The same pipeline on 20,000 elements (bounded): a first run is stopped (no drain) at element 5,000 and must end STOPPED at a final checkpoint; ' +
    'the measured run resumes it with the same checkpoint directory. The windows and timers committed by both runs (sorted) must equal an uninterrupted run’s, ' +
    'and the resumed run must read exactly the elements the stopped run did not take, while its metrics count since the job’s first start (Gen’s elementsIn: 20,000).',
  async prepare(ctx) {
    const plain = { counts: new CommittedStore<unknown>(), timers: new CommittedStore<unknown>() };
    const p = Pipeline.create({ runner: ctx.runner, clock: new VirtualClock(0), signal: AbortSignal.timeout(PREPARE_TIMEOUT_MS), ...SMALL });
    countsAndTimers(p, 20_000, plain.counts, plain.timers);
    await p.run();
    const dir = tmp();
    const stores = { counts: new CommittedStore<unknown>(), timers: new CommittedStore<unknown>() };
    const { result, premise } = await runStopped(ctx.runner, 20_000, dir, stores);
    return {
      ...stores,
      dir,
      read: result.metrics['Gen']?.elementsIn ?? 0,
      expected: { counts: plain.counts.lines({ sorted: true }), timers: plain.timers.lines({ sorted: true }) },
      ...(premise ? { premise } : {}),
    };
  },
  options: (s) => withCheckpoints(s.dir),
  build(p, s) {
    s.resumedRead = 0;
    countsAndTimers(p, 20_000, s.counts, s.timers, () => s.resumedRead!++);
    return s;
  },
  check({ out, result }) {
    return expectAll(
      out.premise,
      eq('the resumed run resumed from', result.checkpoints?.restoredFrom?.kind, 'final'),
      eq('elements the resumed run read', out.resumedRead, 20_000 - out.read),
      eq('elements read since the job’s first start (Gen elementsIn)', result.metrics['Gen']?.elementsIn, 20_000),
      eq('committed windows (sorted)', out.counts.lines({ sorted: true }), out.expected!.counts),
      eq('committed timers (sorted)', out.timers.lines({ sorted: true }), out.expected!.timers),
      eq('prepared but never committed', out.counts.prepared.size + out.timers.prepared.size, 0),
    );
  },
});

const resumeThenDrain = defineCase<Stopped, Stopped>({
  name: 'stop an endless run without drain, resume it and drain: every element counted once, every timer fired once',
  notes:
    'The endless pipeline: a first run is stopped (no drain) at element 5,000; its open windows and timers stay in its final checkpoint, so none of its timers may be committed. ' +
    'The measured run resumes it and drains 3,000 elements later: both runs together must count every element read exactly once, in one last pane per key and window, and fire each key’s timer once.',
  ends: 'DRAINED',
  async prepare(ctx) {
    const dir = tmp();
    const stores = { counts: new CommittedStore<unknown>(), timers: new CommittedStore<unknown>() };
    const stopped = await runStopped(ctx.runner, Number.POSITIVE_INFINITY, dir, stores);
    const premise = stopped.premise ?? eq('timers committed by the stopped run', stores.timers.values(), []);
    return { ...stores, dir, read: stopped.result.metrics['Gen']?.elementsIn ?? 0, ...(premise ? { premise } : {}) };
  },
  options: (s) => withCheckpoints(s.dir),
  build(p, s, control) {
    countsAndTimers(p, Number.POSITIVE_INFINITY, s.counts, s.timers, (i) => i === s.read + 3000 && control.stop({ drain: true }));
    return s;
  },
  check({ out, result }) {
    return expectAll(
      out.premise,
      eq('the resumed run resumed from', result.checkpoints?.restoredFrom?.kind, 'final'),
      // the resumed run's metrics are totals since the job's first start: the stopped run's elements included
      ...finalPanesOnly(out.counts, result.metrics['Gen']?.elementsIn ?? 0),
      eq('timers (sorted)', out.timers.values().sort(), TIMERS),
    );
  },
});

/** Sessions of key 'a' (gap 10 s) that only the end of time closes: [1 s, 13 s) with 3 elements, [50 s, 62 s) with 2. */
const SESSION_VALUES = [1000, 2000, 3000, 50_000, 52_000];

const drainIdle = defineCase<CommittedStore<unknown>, string>({
  name: 'drain an unbounded source that waits for input: sessions under a count trigger that never fires get their last pane',
  notes:
    'An unbounded source hands out 5 elements (watermark 0) and then waits for input that never comes; Sessions (gap 10 s) with Repeatedly(AfterCount(100)), so neither the watermark nor the trigger ever fires a pane. ' +
    'stop({drain: true}) is asked for from outside the pipeline while the run waits: each of the two sessions must emit one last pane with all its elements.',
  ends: 'DRAINED',
  prepare: async () => tmp(),
  options: withCheckpoints,
  build(p, _dir, control) {
    const store = new CommittedStore<unknown>();
    let seen = 0;
    p.apply('Idle', Read(idleAfter(SESSION_VALUES)))
      .apply('Watch', MapElements((x: number) => {
        if (++seen === SESSION_VALUES.length) setImmediate(() => control.stop({ drain: true }));
        return x;
      }))
      .apply('Window', Window.into<number>(Sessions(10_000)).triggering(Repeatedly(AfterCount(100))))
      .apply('Keyed', WithKeys(() => 'a'))
      .apply('Count', Count.perKey<string>())
      .apply('Out', CommittedCapture.records(store as CommittedStore<never>));
    return store;
  },
  check({ out }) {
    const panes = out.records.map((r) => `${r.window.id} ${(r.value as KV<string, number>).value}${r.pane.isLast ? ' last' : ''}`).sort();
    return expectAll(eq('session panes (window, count)', panes, ['1000:13000 3 last', '50000:62000 2 last']));
  },
});

export const DRAIN: Capability = {
  id: 'ours.drain',
  group: 'Ours',
  name: 'Drain',
  beamRow: 'Drain',
  source: SOURCE,
  description:
    'Stop a running pipeline before its input ends. A drain (PipelineRun.stop({drain: true}), --drain) stops reading and moves every input’s watermark to the end of time, so every open window emits its last pane, whatever its trigger, and every event-time timer fires; ' +
    'a stop without drain keeps open windows and timers in a final checkpoint, and the resumed run completes the output exactly.',
  cases: [
    drainEndless('drain an endless input: every key and window fires one last pane, counting every element read', ENDLESS, ({ out, result }) => [
      ...finalPanesOnly(out.counts, result.metrics['Gen']?.elementsIn ?? 0),
      eq('prepared but never committed', out.counts.prepared.size, 0),
    ]),
    drainEndless('drain an endless input: event-time timers set an hour ahead fire once per key', ENDLESS + ' Only the end of time reaches the timers.', ({ out }) => [
      eq('timers (sorted)', out.timers.values().sort(), TIMERS),
      eq('prepared but never committed', out.timers.prepared.size, 0),
    ]),
    drainIdle,
    resumeBounded,
    resumeThenDrain,
  ],
};

