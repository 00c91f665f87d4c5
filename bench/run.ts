/**
 * `npm run bench`: runs each configuration in its own process (clean memory figures), `--repeat`
 * times, and prints the best wall-clock and best CPU-time rates side by side with ratios. The machine
 * may be shared, so CPU time (process-wide, GC threads included) is the steadier figure; best-of-N
 * filters out runs slowed by other work. Flags: --elements=N (default 5,000,000), --repeat=N (default 3),
 * --rssElements=N (default 10,000,000, for the peak-memory run), --quick (500k elements, one run each),
 * --cases=count,windows,routing (default all three): `count` is the fixed-window count above, `windows` the window
 * kinds of issue #16 (bench/window-kinds-table.ts; --windowEvents=N, default 1,000,000), `routing` the
 * per-record cost of key-group routing (bench/key-group-routing.ts, its own process).
 * Then bench/checkpoints.ts: throughput without and with checkpoints (1 s, 10 s), checkpoint size and
 * duration with 1 M keys of window state, and Netflow scenario 1 Kafka → Kafka exactly-once (1 s checkpoints)
 * against at-least-once without checkpoints, with recovery time after a SIGKILL (needs a broker:
 * KAFKA_BROKERS, else the repo's local one).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from '../sdk/command-line.js';
import { countFlag } from './count-flag.js';
import { runWindowKinds } from './window-kinds-table.js';

const { values: args } = parseCommandLine(
  process.argv.slice(2),
  {
    elements: { type: 'string', value: 'N', help: 'elements per run (default 5,000,000)' },
    repeat: { type: 'string', value: 'N', help: 'runs per configuration, best kept (default 3)' },
    rssElements: { type: 'string', value: 'N', help: 'elements of the peak-memory run (default 10,000,000)' },
    quick: { type: 'boolean', help: '500k elements, one run each' },
    cases: { type: 'string', value: 'count,windows,routing', help: 'sections to run (default all three)' },
    windowEvents: { type: 'string', value: 'N', help: 'events per window-kinds run (default 1,000,000)' },
  },
  { program: 'bench', usage: 'npm run bench -- [flags]' },
);
const quick = args.quick === true;
const elements = countFlag('elements', args.elements, quick ? 500_000 : 5_000_000);
const repeat = countFlag('repeat', args.repeat, quick ? 1 : 3);
const rssElements = countFlag('rssElements', args.rssElements, quick ? 1_000_000 : 10_000_000);
const windowEvents = countFlag('windowEvents', args.windowEvents, quick ? 200_000 : 1_000_000);
const cases = new Set((args.cases ?? 'count,windows,routing').split(','));
for (const c of cases) if (c !== 'count' && c !== 'windows' && c !== 'routing') throw new Error(`--cases: unknown case '${c}' (known: count, windows, routing)`);
const script = fileURLToPath(new URL('./count-per-key.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

interface Row {
  runner: string;
  batchInterval: unknown;
  elements: number;
  seconds: number;
  elementsPerSecond: number;
  cpuSeconds: number;
  elementsPerCpuSecond: number;
  outputs: number;
  batches: number;
  peakRssMb: number;
}

function run(flags: string[]): Row {
  const out = execFileSync(tsx, [script, ...flags], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Row;
}

/** The best wall-clock and the best CPU-time figures of `repeat` runs (they may come from different runs). */
function best(flags: string[]): { wall: Row; cpu: Row } {
  const rows = Array.from({ length: repeat }, () => run(flags));
  const by = (k: 'elementsPerSecond' | 'elementsPerCpuSecond') => rows.reduce((a, b) => (b[k] > a[k] ? b : a));
  return { wall: by('elementsPerSecond'), cpu: by('elementsPerCpuSecond') };
}

const BEAM_TS_DIRECT_RUNNER = 300_000; // elements/s, the figure quoted in the issue for the Beam TypeScript direct runner
const configs: [string, string[]][] = [
  ['native', ['--runner=native']],
  ['microbatch(asap)', ['--runner=microbatch', '--batchInterval=asap']],
  ['microbatch(1s)', ['--runner=microbatch', '--batchInterval=1s']],
];
if (cases.has('count')) {
  console.log(`Map → FixedWindows(1 s) → Count.perKey, ${elements.toLocaleString()} elements, 1,000 keys, one process per run, best of ${repeat}\n`);
  const results: [string, { wall: Row; cpu: Row }][] = configs.map(([label, flags]) => [label, best([...flags, `--elements=${elements}`])]);
  const native = results[0]![1];
  const m = (x: number) => `${(x / 1e6).toFixed(2).padStart(5)} M/s`;
  const x = (a: number, b: number) => `${(a / b).toFixed(2).padStart(5)}x`;
  console.log('config             wall elements/s  CPU elements/s  seconds  CPU s  outputs  batches  peak RSS   vs native (wall, CPU)  vs Beam TS direct (~0.3M/s)');
  for (const [label, { wall, cpu }] of results) {
    console.log(
      `${label.padEnd(18)} ${m(wall.elementsPerSecond).padStart(16)}  ${m(cpu.elementsPerCpuSecond).padStart(14)}  ${wall.seconds.toFixed(2).padStart(7)}  ${cpu.cpuSeconds.toFixed(2).padStart(5)}  ${String(wall.outputs).padStart(7)}  ${String(wall.batches).padStart(7)}  ${wall.peakRssMb.toFixed(0).padStart(5)} MB   ${x(wall.elementsPerSecond, native.wall.elementsPerSecond)}, ${x(cpu.elementsPerCpuSecond, native.cpu.elementsPerCpuSecond)}       ${(wall.elementsPerSecond / BEAM_TS_DIRECT_RUNNER).toFixed(1).padStart(6)}x`,
    );
  }
  console.log(`\nPeak memory over ${rssElements.toLocaleString()} elements (state is freed as windows close):`);
  for (const [label, flags] of configs) {
    const r = run([...flags, `--elements=${rssElements}`]);
    console.log(`${label.padEnd(18)} peak RSS ${r.peakRssMb.toFixed(0)} MB, ${(r.elementsPerSecond / 1e6).toFixed(2)} M elements/s, ${(r.elementsPerCpuSecond / 1e6).toFixed(2)} M elements/CPU-s`);
  }
}
if (cases.has('windows')) runWindowKinds({ events: windowEvents, repeat });
if (cases.has('routing')) {
  console.log('');
  execFileSync(tsx, [fileURLToPath(new URL('./key-group-routing.ts', import.meta.url)), ...(quick ? ['--records=500000', '--rounds=1'] : [])], { stdio: 'inherit' });
}

// What checkpoints cost (bench/checkpoints.ts; `npm run bench:checkpoints` runs it alone).
console.log('');
execFileSync(tsx, [fileURLToPath(new URL('./checkpoints.ts', import.meta.url)), ...(quick ? ['--quick'] : [`--elements=${elements}`])], { stdio: 'inherit' });
