import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { statefulDoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { StateSpec, TimerSpec } from '../../sdk/state.js';
import { CommittedCapture, type CommittedStore } from '../../sdk/testing/committed-capture.js';
import { failpoints, SimulatedCrash } from '../../sdk/testing/failpoints.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { sumFn } from '../../transforms/combiners/sum.js';
import { Count } from '../../transforms/combiners/count.js';
import { TextFile } from '../../transforms/io/text-file.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';

/**
 * Pipelines that crash and resume from a checkpoint, shared by test/checkpoint/resume.test.ts and the
 * capability matrix's Checkpoint row (cases/checkpoint.ts), so both exercise the same scenarios.
 * Each writes to a sink with two-phase commit (CommittedCapture or TextFile.write): what a failure-free
 * run commits is what a crashed-and-resumed run must commit, nothing lost and nothing twice.
 */

/** Where a run can crash around a checkpoint (coordinator and sink failpoints). */
export const CHECKPOINT_FAILPOINTS = ['checkpoint.barrier', 'sink.preCommit', 'checkpoint.written', 'sink.commit', 'checkpoint.committed'] as const;

/** A failpoint and the hit at which it fires. */
export interface Crash {
  readonly name: string;
  readonly at: number;
}

/**
 * Runs `run` with `crash` armed and returns the SimulatedCrash it failed with; the failpoints are
 * disarmed afterwards whatever happened.
 * @throws the run's own error when it failed otherwise, or an Error when it finished without crashing.
 * @example await crashAt({ name: 'sink.commit', at: 2 }, () => runCount(ck, store));
 */
export async function crashAt(crash: Crash, run: () => Promise<unknown>): Promise<SimulatedCrash> {
  failpoints.arm(crash.name, { at: crash.at });
  try {
    await run();
  } catch (e) {
    if (e instanceof SimulatedCrash) return e;
    throw e;
  } finally {
    failpoints.reset();
  }
  throw new Error(`the run finished without reaching failpoint ${crash.name} #${crash.at}`);
}

/**
 * Early panes every 2 elements of a key, late panes for each late element (lateness 5 s),
 * accumulating, over keys a, b, c. Each group ends with a watermark step, so that a micro-batch ends
 * there and both runners fire the same panes; processing time moves 1 s between groups, so a 1 s
 * checkpoint interval checkpoints between most of them.
 */
export const countStream = (): TestStream<string> =>
  TestStream.create<string>()
    .addElements(['a', 1000], ['a', 2000], ['b', 1500]) // a: early pane
    .advanceWatermarkTo(500)
    .advanceProcessingTime(1000)
    .addElements(['b', 2500], ['c', 3000], ['a', 4000]) // b: early pane
    .advanceWatermarkTo(5000)
    .advanceProcessingTime(1000)
    .addElements(['c', 12_000], ['a', 11_000], ['a', 13_000]) // second window, a: early pane
    .advanceWatermarkTo(10_500) // first window on time: a, b, c
    .advanceProcessingTime(1000)
    .addElements(['b', 9000]) // late pane of b
    .advanceWatermarkTo(11_000)
    .advanceProcessingTime(1000)
    .addElements(['c', 8000], ['a', 14_000]) // late pane of c
    .advanceWatermarkTo(12_000)
    .advanceProcessingTime(1000)
    .advanceWatermarkToInfinity();

/** {@link countStream} in fixed windows of `size` ms with early and late panes, counted per key into `store`. */
export function windowedCount(p: Pipeline, store: CommittedStore<unknown>, size = 10_000): void {
  p.apply('Events', countStream())
    .apply(
      'Window',
      Window.into<string>(FixedWindows(size))
        .triggering(AfterWatermark().withEarlyFirings(AfterCount(2)).withLateFirings(AfterCount(1)))
        .withAllowedLateness(5000)
        .accumulatingFiredPanes(),
    )
    .apply('Keyed', WithKeys((s: string) => s))
    .apply('Count', Count.perKey<string>())
    .apply('Out', CommittedCapture.records(store as CommittedStore<never>));
}

/**
 * Per key and window: a running count and sum in value state, a bag of values flushed by an event-time
 * timer at the end of the window, and a processing-time timer 1.5 s after the key's first element
 * reporting the count so far. Processing time moves 1 s between the groups (checkpoint interval 1 s).
 */
const timerFn = statefulDoFn({
  state: { n: StateSpec.value<number>(), sum: StateSpec.value<number>(), buf: StateSpec.bag<number>() },
  timers: { flush: TimerSpec.eventTime(), tick: TimerSpec.processingTime() },
  process(e: KV<string, number>, ctx) {
    const n = (ctx.state.n.read() ?? 0) + 1;
    ctx.state.n.write(n);
    ctx.state.sum.write((ctx.state.sum.read() ?? 0) + e.value);
    ctx.state.buf.add(e.value);
    ctx.timers.flush.set(ctx.window.maxTimestamp);
    if (n === 1) ctx.timers.tick.offset(1500);
    ctx.output(`${e.key} n=${n}`);
  },
  onTimer: {
    flush(ctx) {
      const buf = [...ctx.state.buf.read()].sort((a, b) => a - b);
      ctx.output(`${String(ctx.key)} flush n=${ctx.state.n.read()} sum=${ctx.state.sum.read()} buf=${JSON.stringify(buf)}`);
      ctx.state.buf.clear();
    },
    tick(ctx) {
      ctx.output(`${String(ctx.key)} tick`);
    },
  },
});

export const timerStream = (): TestStream<KV<string, number>> =>
  TestStream.create<KV<string, number>>()
    .addElements([kv('a', 1), 1000], [kv('b', 2), 2000])
    .advanceWatermarkTo(500)
    .advanceProcessingTime(1000)
    .addElements([kv('a', 4), 3000], [kv('a', 5), 11_000])
    .advanceWatermarkTo(5000)
    .advanceProcessingTime(1000)
    .addElements([kv('b', 7), 9500], [kv('c', 3), 12_000])
    .advanceWatermarkTo(10_500) // first window's flush timers fire
    .advanceProcessingTime(1000)
    .addElements([kv('b', 8), 13_000], [kv('a', 6), 14_000])
    .advanceWatermarkTo(15_000)
    .advanceProcessingTime(1000)
    .advanceProcessingTime(1000)
    .advanceWatermarkToInfinity();

/** {@link timerStream} in 10 s fixed windows through the stateful DoFn with timers, into `store`. */
export function statefulTimers(p: Pipeline, store: CommittedStore<unknown>): void {
  p.apply('Events', timerStream())
    .apply('Window', Window.into<KV<string, number>>(FixedWindows(10_000)))
    .apply('Stateful', ParDo(timerFn))
    .apply('Out', CommittedCapture.records(store as CommittedStore<never>));
}

/**
 * Per key and session (2 s gap, merged in the stateful step): bag, set, combining, map and value state
 * and an event-time timer flushing them at the end of the session, and a processing-time timer 1.5 s
 * after each element. Sessions merge on both sides of the checkpoints (processing time moves 1 s
 * between the groups): a's two sessions are joined by a later element, b's grows, c's merges after
 * a's has flushed.
 */
const sessionFn = statefulDoFn({
  state: {
    buf: StateSpec.bag<number>(),
    distinct: StateSpec.set<number>(),
    sum: StateSpec.combining(sumFn()),
    byParity: StateSpec.map<string, number>(),
    last: StateSpec.value<number>(),
  },
  timers: { flush: TimerSpec.eventTime(), tick: TimerSpec.processingTime() },
  process(e: KV<string, number>, ctx) {
    ctx.state.buf.add(e.value);
    ctx.state.distinct.add(e.value % 3);
    ctx.state.sum.add(e.value);
    ctx.state.byParity.put(e.value % 2 === 0 ? 'even' : 'odd', e.value);
    ctx.state.last.write(e.value);
    ctx.timers.flush.set(ctx.window.maxTimestamp);
    ctx.timers.tick.offset(1500);
    ctx.output(`${e.key} ${e.value} in ${ctx.window.id}`);
  },
  onTimer: {
    flush(ctx) {
      const map = [...ctx.state.byParity.entries()].map(([k, v]) => `${k}=${v}`).sort();
      ctx.output(
        `${String(ctx.key)} flush ${ctx.window.id} buf=${ctx.state.buf.read().join(',')} distinct=${[...ctx.state.distinct.read()].sort().join(',')} ` +
          `sum=${ctx.state.sum.read()} map=${map.join(',')} last=${ctx.state.last.read()}`,
      );
    },
    tick(ctx) {
      ctx.output(`${String(ctx.key)} tick ${ctx.window.id} sum=${ctx.state.sum.read()}`);
    },
  },
});

export const sessionStream = (): TestStream<KV<string, number>> =>
  TestStream.create<KV<string, number>>()
    .addElements([kv('a', 1), 1000], [kv('a', 2), 4000], [kv('b', 5), 1000])
    .advanceWatermarkTo(500)
    .advanceProcessingTime(1000)
    .addElements([kv('a', 3), 2500]) // joins a's two sessions: [1000,6000)
    .advanceWatermarkTo(2000)
    .advanceProcessingTime(1000)
    .addElements([kv('b', 6), 2500], [kv('c', 1), 7000]) // b's session grows to [1000,4500)
    .advanceWatermarkTo(6500) // a and b flush
    .advanceProcessingTime(1000)
    .addElements([kv('c', 2), 8500], [kv('a', 7), 6600]) // c: [7000,10500); a: a new session
    .advanceWatermarkTo(12_000)
    .advanceProcessingTime(1000)
    .advanceProcessingTime(1000)
    .advanceWatermarkToInfinity();

/** {@link sessionStream} in sessions with a 2 s gap through the stateful DoFn with timers, into `store`. */
export function statefulSessions(p: Pipeline, store: CommittedStore<unknown>): void {
  p.apply('Events', sessionStream())
    .apply('Window', Window.into<KV<string, number>>(Sessions(2000)))
    .apply('Stateful', ParDo(sessionFn))
    .apply('Out', CommittedCapture.records(store as CommittedStore<never>));
}

/** Writes 2,000 numbered lines (some with multi-byte characters) to `lines.txt` in `dir`; returns its path. */
export function writeLinesInput(dir: string): string {
  const input = join(dir, 'lines.txt');
  writeFileSync(input, Array.from({ length: 2000 }, (_, i) => `line ${i} ${'é'.repeat(i % 5)}`).join('\n') + '\n');
  return input;
}

/** Reads `input` line by line, upper-cases, writes to `out` (a part folder under checkpoints). */
export function upperCaseFile(p: Pipeline, input: string, out: string): void {
  p.apply('Lines', TextFile.lines(input))
    .apply('Upper', MapElements((s: string) => s.toUpperCase()))
    .apply('Out', TextFile.write(out, (s: string) => s));
}

/** Small bundles and batches, so the file run has many checkpoint boundaries. */
export const FILE_TUNING = { bundleSize: 50, bufferSize: 100, maxBatchSize: 150 } as const;

/**
 * Checkpoint interval of the file run: 10 ticks of a TickingClock (one per clock read). How many
 * clock reads a batch makes depends on how the source pump and file I/O interleave, so this is kept
 * well below a batch's reads: both runners take more checkpoints (native about 15, micro-batch about 8)
 * than the crash points (up to #5) need.
 */
export const FILE_CHECKPOINT_INTERVAL = 10;
