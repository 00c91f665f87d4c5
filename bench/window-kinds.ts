/**
 * One run of the window-kinds benchmark (issue #16) in its own process, so its peak RSS is its own:
 * `--case=` one of
 * - `fixed`: Generate → KeyBy → FixedWindows(10 s) → Count.perKey (the yardstick);
 * - `sessions`: the same in Sessions(10 s gap);
 * - `sliding`: the same in SlidingWindows(10 s every 2 s), each element in 5 windows;
 * - `join-fixed`: two generated inputs of half the events each, CoGroupByKey in FixedWindows(10 s);
 * - `join-merging`: the same join in a custom merging WindowFn (sessions of 10 s gap capped at 30 s,
 *   written here as a user would, not the SDK's Sessions).
 * Events go to `--keys` keys round robin, `--eventsPerSecond` of event time (so with 10,000 of each,
 * every key gets one event per event-time second). Checks every event was counted (or joined) and
 * prints one JSON line: case, runner, events, seconds, events/s, CPU seconds, outputs, peak RSS.
 * Usage: tsx bench/window-kinds.ts --case=sessions --runner=native --events=1000000
 */
import '../runners/index.js';
import { performance } from 'node:perf_hooks';
import { CappedSessions } from '../capability-matrix/support/capped-sessions.js';
import { kv, type KV } from '../sdk/kv.js';
import type { PCollection } from '../sdk/pcollection.js';
import { Pipeline } from '../sdk/pipeline.js';
import { FixedWindows } from '../sdk/windows/fixed-windows.js';
import { Sessions } from '../sdk/windows/sessions.js';
import { SlidingWindows } from '../sdk/windows/sliding-windows.js';
import { CoGroupByKey } from '../transforms/co-group-by-key.js';
import { Count } from '../transforms/combiners/count.js';
import { Generate } from '../transforms/io/generate.js';
import { ParDo } from '../transforms/par-do.js';
import { Window } from '../transforms/window.js';
import { countFlag } from './count-flag.js';

const CASES = ['fixed', 'sessions', 'sliding', 'join-fixed', 'join-merging'] as const;
type Case = (typeof CASES)[number];

const p = Pipeline.create(process.argv.slice(2), {
  program: 'window-kinds',
  flags: {
    case: { type: 'string', value: CASES.join('|'), help: 'what to run' },
    events: { type: 'string', value: 'N', help: 'events in all (default 1,000,000)' },
    keys: { type: 'string', value: 'N', help: 'distinct keys (default 10,000)' },
    eventsPerSecond: { type: 'string', value: 'N', help: 'events per event-time second (default 10,000)' },
  },
});
const args = p.options.args;
const which = (args.case ?? 'fixed') as Case;
if (!CASES.includes(which)) throw new Error(`--case=${which}: expected one of ${CASES.join(', ')}`);
const n = countFlag('events', args.events, 1_000_000, 2);
const keys = countFlag('keys', args.keys, 10_000);
const perSecond = countFlag('eventsPerSecond', args.eventsPerSecond, 10_000);
const SIZE = 10_000;
const PERIOD = 2_000;

/** `count` generated events, event i at key i % keys, `rate` events per event-time second. */
function events(name: string, count: number, rate: number): PCollection<KV<number, number>> {
  return p.apply(name, Generate.of({ count, element: (i) => kv(i % keys, i), timestamp: (i) => Math.floor((i * 1000) / rate) }));
}

let outputs = 0;
let total = 0;
let expected = n;
if (which === 'fixed' || which === 'sessions' || which === 'sliding') {
  const windowFn = which === 'fixed' ? FixedWindows(SIZE) : which === 'sessions' ? Sessions(SIZE) : SlidingWindows(SIZE, PERIOD);
  if (which === 'sliding') expected = n * (SIZE / PERIOD);
  events('Events', n, perSecond)
    .apply('Window', Window.into(windowFn))
    .apply('Count', Count.perKey())
    .apply(
      'Sink',
      ParDo<KV<number, number>, never>({
        process(e) {
          outputs++;
          total += e.value;
        },
      }),
    );
} else {
  const windowFn = which === 'join-fixed' ? FixedWindows(SIZE) : CappedSessions(SIZE, 3 * SIZE);
  const half = Math.floor(n / 2);
  const left = events('Left', half, perSecond / 2).apply('WindowLeft', Window.into(windowFn));
  const right = events('Right', n - half, perSecond / 2).apply('WindowRight', Window.into(windowFn));
  p.apply('Join', CoGroupByKey({ left, right })).apply(
    'Sink',
    ParDo<KV<number, { left: number[]; right: number[] }>, never>({
      process(e) {
        outputs++;
        total += e.value.left.length + e.value.right.length;
      },
    }),
  );
}
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await p.run();
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
if (total !== expected) throw new Error(`benchmark lost events: counted ${total} of ${expected}`);
console.log(
  JSON.stringify({
    case: which,
    runner: p.options.runner,
    events: n,
    seconds,
    eventsPerSecond: n / seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    outputs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
