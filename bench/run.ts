/**
 * `npm run bench`: runs each configuration in its own process (clean memory figures) and prints the
 * figures side by side with ratios. Flags: --elements=N (default 5,000,000), --rssElements=N (default
 * 10,000,000, for the peak-memory run), --quick (500k elements).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../sdk/options.js';

const args = parseArgs(process.argv.slice(2));
const quick = args['quick'] === 'true';
const elements = Number(args['elements'] ?? (quick ? 500_000 : 5_000_000));
const rssElements = Number(args['rssElements'] ?? (quick ? 1_000_000 : 10_000_000));
const script = fileURLToPath(new URL('./count-per-key.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

interface Row {
  runner: string;
  batchInterval: unknown;
  elements: number;
  seconds: number;
  elementsPerSecond: number;
  outputs: number;
  batches: number;
  peakRssMb: number;
}

function run(flags: string[]): Row {
  const out = execFileSync(tsx, [script, ...flags], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Row;
}

const BEAM_TS_DIRECT_RUNNER = 300_000; // elements/s, the figure quoted in the issue for the Beam TypeScript direct runner
const configs: [string, string[]][] = [
  ['native', ['--runner=native']],
  ['microbatch(asap)', ['--runner=microbatch', '--batchInterval=asap']],
  ['microbatch(1s)', ['--runner=microbatch', '--batchInterval=1s']],
];
console.log(`Map → FixedWindows(1 s) → Count.perKey, ${elements.toLocaleString()} elements, 1,000 keys, one process per run\n`);
const rows: [string, Row][] = configs.map(([label, flags]) => [label, run([...flags, `--elements=${elements}`])]);
const nativeRate = rows[0]![1].elementsPerSecond;
console.log('config              elements/s    seconds   outputs  batches  peak RSS   vs native  vs Beam TS direct (~0.3M/s)');
for (const [label, r] of rows) {
  console.log(
    `${label.padEnd(18)} ${(r.elementsPerSecond / 1e6).toFixed(2).padStart(7)} M/s  ${r.seconds.toFixed(2).padStart(7)}  ${String(r.outputs).padStart(8)}  ${String(r.batches).padStart(7)}  ${r.peakRssMb.toFixed(0).padStart(5)} MB   ${(r.elementsPerSecond / nativeRate).toFixed(2).padStart(6)}x   ${(r.elementsPerSecond / BEAM_TS_DIRECT_RUNNER).toFixed(1).padStart(6)}x`,
  );
}
console.log(`\nPeak memory over ${rssElements.toLocaleString()} elements (state is freed as windows close):`);
for (const [label, flags] of configs.slice(0, 2)) {
  const r = run([...flags, `--elements=${rssElements}`]);
  console.log(`${label.padEnd(18)} peak RSS ${r.peakRssMb.toFixed(0)} MB, ${(r.elementsPerSecond / 1e6).toFixed(2)} M elements/s`);
}
