/**
 * The window driver alone on the window-kinds join's merging path (issue #16): a WindowDriver with
 * CoGroupByKey's reducer in a custom merging WindowFn (CappedSessions, 10 s gap capped at 30 s), fed
 * `--events` tagged elements the way the join's two generated inputs bring them (10,000 keys, 10,000
 * events per event-time second, the inputs in turns of 1,000) with the watermark moved after each
 * turn, as the native runner does. No engine, source or sink: what one merging step costs, with less
 * noise than a whole run. Runs `--runs` times in one process and prints one JSON line: the CPU
 * milliseconds of each run (the first one includes compiling), the fewest, the median, and the
 * mergeWindows calls per run. Not part of `npm run bench` (a whole run is the measure there).
 * Usage: tsx bench/merging-driver.ts --events=1000000 --runs=7
 */
import { parseArgs } from 'node:util';
import { combineReducer } from '../runners/core/driver/pane-reducer.js';
import { WindowDriver } from '../runners/core/driver/window-driver.js';
import { InMemoryStateBackend } from '../runners/core/state/state-backend.js';
import { TaggedValue } from '../runners/core/util/tagged-value.js';
import { CappedSessions } from '../capability-matrix/support/capped-sessions.js';
import { VirtualClock } from '../sdk/clock.js';
import { emptyStepMetrics } from '../sdk/metrics.js';
import { NO_FIRING } from '../sdk/pane.js';
import { TIMESTAMP_MAX } from '../sdk/time.js';
import { DefaultTrigger } from '../sdk/triggers/default-trigger.js';
import type { MergeResult, WindowFn } from '../sdk/windows/window-fn.js';
import type { BoundedWindow } from '../sdk/window.js';
import { coGroupFn } from '../transforms/internal/co-group-fn.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '7' } }, strict: true });
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
if (!(EVENTS >= 2000) || !(RUNS >= 1)) throw new Error(`--events must be at least 2000 and --runs at least 1, got ${values.events} and ${values.runs}`);
const KEYS = 10_000;
const PER_SECOND = 10_000;
const TURN = 1000;

/** One run: the CPU milliseconds it took, and how many times mergeWindows was called. */
function run(): { cpuMs: number; mergeCalls: number } {
  const capped = CappedSessions(10_000, 30_000);
  let mergeCalls = 0;
  const windowFn: WindowFn<unknown> = {
    ...capped,
    mergeWindows(active: readonly BoundedWindow[]): readonly MergeResult[] {
      mergeCalls++;
      return capped.mergeWindows!(active);
    },
  };
  let outputs = 0;
  const driver = new WindowDriver({
    step: 'Join/GroupByKey',
    strategy: { windowFn, trigger: DefaultTrigger(), triggerIsDefault: true, accumulationMode: 'discarding', allowedLateness: 0, timestampCombiner: 'END_OF_WINDOW', onTimeBehavior: 'FIRE_IF_NON_EMPTY' },
    reducer: combineReducer(coGroupFn(['left', 'right']), false),
    state: new InMemoryStateBackend(),
    clock: new VirtualClock(0),
    metrics: emptyStepMetrics(),
    emit: () => {
      outputs++;
    },
    emitLate: () => {
      throw new Error('merging-driver: no element may be late');
    },
    fireMode: 'immediate',
  });
  const half = EVENTS / 2;
  const perInputSecond = PER_SECOND / 2;
  const assign = { element: undefined as unknown, timestamp: 0, window: undefined as unknown as BoundedWindow };
  const cpu0 = process.cpuUsage();
  for (let turn = 0; turn < half; turn += TURN) {
    for (const tag of ['left', 'right']) {
      for (let i = turn; i < turn + TURN && i < half; i++) {
        const ts = Math.floor((i * 1000) / perInputSecond);
        assign.timestamp = ts;
        const [w] = windowFn.assignWindows(assign);
        driver.processParts({ key: i % KEYS, value: new TaggedValue(tag, i) }, ts, w!, NO_FIRING, false);
      }
    }
    driver.advanceWatermark(Math.floor(((turn + TURN) * 1000) / perInputSecond) - 1);
  }
  driver.advanceWatermark(TIMESTAMP_MAX);
  const cpu = process.cpuUsage(cpu0);
  if (outputs === 0) throw new Error('merging-driver: no window fired');
  return { cpuMs: (cpu.user + cpu.system) / 1000, mergeCalls };
}

const runs = Array.from({ length: RUNS }, run);
const ms = runs.map((r) => Math.round(r.cpuMs));
const sorted = [...ms].sort((a, b) => a - b);
console.log(JSON.stringify({ events: EVENTS, cpuMs: ms, fewest: sorted[0], median: sorted[sorted.length >> 1], mergeWindowsCalls: runs[0]!.mergeCalls }));
