/**
 * One benchmark run in its own process: Generate → Map → FixedWindows(1 s) → Count.perKey → sink.
 * Prints one JSON line: runner, elements, seconds, elements/s, outputs, peak RSS.
 * Usage: tsx bench/count-per-key.ts --runner=native --elements=5000000 --keys=1000
 */
import '../runners/index.js';
import { performance } from 'node:perf_hooks';
import { kv, type KV } from '../sdk/kv.js';
import { Pipeline } from '../sdk/pipeline.js';
import { FixedWindows } from '../sdk/windows/fixed-windows.js';
import { Count } from '../transforms/combiners/count.js';
import { Generate } from '../transforms/io/generate.js';
import { MapElements } from '../transforms/map.js';
import { ParDo } from '../transforms/par-do.js';
import { Window } from '../transforms/window.js';

const p = Pipeline.create(process.argv.slice(2), {
  program: 'count-per-key',
  flags: {
    elements: { type: 'string', value: 'N', help: 'elements (default 5,000,000)' },
    keys: { type: 'string', value: 'N', help: 'distinct keys (default 1000)' },
    eventsPerSecond: { type: 'string', value: 'N', help: 'event-time rate (default 100,000)' },
  },
});
const args = p.options.args;
const n = Number(args.elements ?? 5_000_000);
const keys = Number(args.keys ?? 1000);
const perSecond = Number(args.eventsPerSecond ?? 100_000);
let outputs = 0;
let total = 0;
p.apply('Generate', Generate.of({ count: n, element: (i) => ({ id: i, user: i % keys }), timestamp: (i) => Math.floor((i * 1000) / perSecond) }))
  .apply('KeyByUser', MapElements((e: { id: number; user: number }) => kv(e.user, e)))
  .apply('Fixed1s', Window.into(FixedWindows(1000)))
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
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const result = await p.run();
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
if (total !== n) throw new Error(`benchmark lost elements: counted ${total} of ${n}`);
console.log(
  JSON.stringify({
    runner: p.options.runner,
    batchInterval: p.options.batchInterval,
    elements: n,
    seconds,
    elementsPerSecond: n / seconds,
    cpuSeconds,
    elementsPerCpuSecond: n / cpuSeconds,
    outputs,
    batches: result.batches?.length ?? 0,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
