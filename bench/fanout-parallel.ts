/**
 * One benchmark run in its own process: one input element whose DoFn fans out `--outputs` records
 * (all of the input's key by default: a hot key), then a keyed step, at `--parallelism`: what the inline
 * exchange between stages costs when one emission carries many records. Prints one JSON line: runner,
 * parallelism, outputs, seconds, CPU seconds. The other flags vary the shape (the fan-out step in a keyed
 * stage, many keys, windowed records, an async fan-out, another keyed step after it).
 * Usage: tsx bench/fanout-parallel.ts --runner=native --parallelism=4 --outputs=600000
 */
import '../runners/index.js';
import { performance } from 'node:perf_hooks';
import { statefulDoFn, type DoFn } from '../sdk/dofn.js';
import { kv, type KV } from '../sdk/kv.js';
import type { PCollection } from '../sdk/pcollection.js';
import { Pipeline } from '../sdk/pipeline.js';
import { StateSpec } from '../sdk/state.js';
import { FixedWindows } from '../sdk/windows/fixed-windows.js';
import { Count } from '../transforms/combiners/count.js';
import { Create } from '../transforms/create.js';
import { GroupByKey } from '../transforms/group-by-key.js';
import { MapElements } from '../transforms/map.js';
import { ParDo } from '../transforms/par-do.js';
import { Window } from '../transforms/window.js';

type R = KV<string, number>;
const p = Pipeline.create(process.argv.slice(2), {
  program: 'fanout-parallel',
  flags: {
    outputs: { type: 'string', value: 'N', help: 'records the one element fans out to (default 600,000)' },
    keys: { type: 'string', value: 'N', help: 'distinct keys among the outputs (default 1: all of the input key)' },
    keyedInput: { type: 'boolean', help: 'the fan-out step reads a GroupByKey, so it runs in a keyed stage' },
    windowed: { type: 'boolean', help: 'the input is windowed into 1 s fixed windows first' },
    asyncFanOut: { type: 'boolean', help: 'the fan-out DoFn is async (its process returns a promise)' },
    downstream: { type: 'string', value: 'count|group|stateful-async', help: 'the keyed step after the fan-out: Count.perKey (default), GroupByKey, or an async stateful DoFn counting per key' },
  },
});
const args = p.options.args;
const n = Number(args.outputs ?? 600_000);
const keys = Number(args.keys ?? 1);
const out = (e: R, i: number) => kv(keys === 1 ? e.key : `${e.key}${i % keys}`, i);
const fanOut: DoFn<R, R> = args.asyncFanOut
  ? {
      async process(e, ctx) {
        await Promise.resolve();
        for (let i = 0; i < n; i++) ctx.output(out(e, i));
      },
    }
  : {
      process(e, ctx) {
        for (let i = 0; i < n; i++) ctx.output(out(e, i));
      },
    };
const countAsync = statefulDoFn<R, R>()({
  state: { n: StateSpec.value<number>() },
  async process(e, ctx) {
    await Promise.resolve();
    const c = (ctx.state.n.read() ?? 0) + 1;
    ctx.state.n.write(c);
    if (e.value >= n - keys) ctx.output(kv(e.key, c));
  },
});

let input: PCollection<R> = p.apply(Create([kv('hot', 0)]));
if (args.windowed) input = input.apply('Window', Window.into<R>(FixedWindows(1000)));
if (args.keyedInput) input = input.apply('Group', GroupByKey<string, number>()).apply('First', MapElements((g: KV<string, number[]>) => kv(g.key, g.value[0]!)));
const fanned = input.apply('FanOut', ParDo(fanOut));
const counts =
  args.downstream === 'stateful-async'
    ? fanned.apply('CountAsync', ParDo(countAsync))
    : args.downstream === 'group'
      ? fanned.apply('Group2', GroupByKey<string, number>()).apply('Size', MapElements((g: KV<string, number[]>) => kv(g.key, g.value.length)))
      : fanned.apply('Count', Count.perKey<string>());
let counted = 0;
counts.apply(
  'Sink',
  ParDo<R, never>({
    process(c) {
      counted += c.value;
    },
  }),
);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await p.run();
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
if (counted !== n) throw new Error(`benchmark lost records: counted ${counted} of ${n}`);
console.log(JSON.stringify({ runner: p.options.runner, parallelism: p.options.parallelism, outputs: n, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
