/**
 * One benchmark run in its own process: Generate → four ParDo pass-through steps → a sink, to measure
 * what a ParDo costs per element in the runner core. `--form` picks how the pass-through steps emit:
 * `ctx` (ctx.output, process returns undefined: the usual DoFn), `return` (returns the element) or
 * `yield` (a generator yielding it). Prints one JSON line: runner, form, elements, seconds, CPU seconds.
 * Usage: tsx bench/pardo-passthrough.ts --runner=native --elements=2000000 --form=ctx
 */
import '../runners/index.js';
import { performance } from 'node:perf_hooks';
import type { DoFn } from '../sdk/dofn.js';
import { Pipeline } from '../sdk/pipeline.js';
import { Generate } from '../transforms/io/generate.js';
import { ParDo } from '../transforms/par-do.js';

const p = Pipeline.create(process.argv.slice(2), {
  program: 'pardo-passthrough',
  flags: {
    elements: { type: 'string', value: 'N', help: 'elements (default 2,000,000)' },
    form: { type: 'string', value: 'ctx|return|yield', help: 'how the pass-through steps emit (default ctx)' },
  },
});
const args = p.options.args;
const n = Number(args.elements ?? 2_000_000);
const form = args.form ?? 'ctx';
const forms: Record<string, DoFn<number, number>> = {
  ctx: { process: (x, ctx) => ctx.output(x) },
  return: { process: (x) => x },
  yield: {
    *process(x) {
      yield x;
    },
  },
};
const fn = forms[form];
if (fn === undefined) throw new Error(`--form=${form}: expected ctx, return or yield`);
let total = 0;
let c = p.apply('Generate', Generate.of({ count: n, element: (i) => i, timestamp: (i) => i }));
for (let s = 1; s <= 4; s++) c = c.apply(`Pass${s}`, ParDo(fn));
c.apply(
  'Sink',
  ParDo<number, never>({
    process() {
      total++;
    },
  }),
);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await p.run();
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
if (total !== n) throw new Error(`benchmark lost elements: counted ${total} of ${n}`);
console.log(JSON.stringify({ runner: p.options.runner, form, elements: n, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
