/**
 * The window-kinds section of `npm run bench` (issue #16): count per key in fixed windows, sessions
 * and sliding windows, and a CoGroupByKey join in fixed windows and in a custom merging WindowFn, on
 * both runners side by side in one run, each case in its own process (`bench/window-kinds.ts`).
 * Runs round after round of all cases (so that host drift over minutes falls on every case alike) and
 * prints events/s (best of `repeat`), the ratio to fixed windows on the same runner in the same run
 * against the issue's target, the same ratio by CPU time (events per CPU second, GC threads included:
 * steadier on a shared machine), peak RSS (highest of the runs) and micro-batch's peak RSS over native's.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Row {
  case: string;
  runner: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  cpuSeconds: number;
  outputs: number;
  peakRssMb: number;
}

const CASES: readonly { id: string; label: string; target?: number }[] = [
  { id: 'fixed', label: 'count, fixed 10 s' },
  { id: 'sessions', label: 'count, sessions gap 10 s', target: 0.5 },
  { id: 'sliding', label: 'count, sliding 10 s / 2 s', target: 0.5 },
  { id: 'join-fixed', label: 'join, fixed 10 s' },
  { id: 'join-merging', label: 'join, custom merging', target: 0.3 },
];
const RUNNERS: readonly [string, string[]][] = [
  ['native', ['--runner=native']],
  ['microbatch', ['--runner=microbatch', '--batchInterval=asap']],
];

/** Runs every case on both runners `repeat` times and prints the table. */
export function runWindowKinds(o: { events: number; repeat: number }): void {
  const script = fileURLToPath(new URL('./window-kinds.ts', import.meta.url));
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const run = (c: string, flags: string[]): Row => {
    const out = execFileSync(tsx, [script, `--case=${c}`, `--events=${o.events}`, ...flags], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out.trim().split('\n').pop()!) as Row;
  };
  console.log(`\nWindow kinds (issue #16): ${o.events.toLocaleString()} events, 10,000 keys, 10,000 events per event-time second, one process per run, best of ${o.repeat}\n`);
  // Round after round of every case on both runners (not one case's runs in a row): the host's speed drifts
  // over minutes, and each ratio then compares runs made as close together as the cases allow.
  const rowsOf = new Map<string, Row[]>();
  for (let r = 0; r < o.repeat; r++) {
    for (const c of CASES) {
      for (const [runner, flags] of RUNNERS) {
        const id = `${c.id}/${runner}`;
        rowsOf.set(id, [...(rowsOf.get(id) ?? []), run(c.id, flags)]);
      }
    }
  }
  const best = new Map<string, { rate: number; cpuRate: number; rss: number }>();
  for (const [id, rows] of rowsOf) {
    best.set(id, {
      rate: Math.max(...rows.map((r) => r.eventsPerSecond)),
      cpuRate: Math.max(...rows.map((r) => r.events / r.cpuSeconds)),
      rss: Math.max(...rows.map((r) => r.peakRssMb)),
    });
  }
  const k = (x: number) => `${(x / 1e3).toFixed(0).padStart(6)} k/s`;
  console.log('case                          native events/s  vs fixed (CPU)  peak RSS   microbatch events/s  vs fixed (CPU)  peak RSS   RSS mb/native  target vs fixed');
  for (const c of CASES) {
    const cells = RUNNERS.map(([runner]) => {
      const b = best.get(`${c.id}/${runner}`)!;
      const fixed = best.get(`fixed/${runner}`)!;
      return { ...b, ratio: b.rate / fixed.rate, cpuRatio: b.cpuRate / fixed.cpuRate };
    });
    const [nat, mb] = cells as [(typeof cells)[0], (typeof cells)[0]];
    const cell = (x: typeof nat) => `${k(x.rate).padStart(15)}  ${x.ratio.toFixed(2).padStart(5)}x (${x.cpuRatio.toFixed(2)}x)  ${x.rss.toFixed(0).padStart(5)} MB`;
    console.log(
      `${c.label.padEnd(28)}  ${cell(nat)}   ${cell(mb).padStart(44)}  ${(mb.rss / nat.rss).toFixed(2).padStart(12)}x  ${c.target === undefined ? '' : `>= ${c.target}x`}`,
    );
  }
}
