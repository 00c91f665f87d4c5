/**
 * What routing a record to its instance costs (scale-out step 2, docs/design/scale-out.md §3.2): at an
 * exchange write, every record pays `keyGroupOf(encodeKey(key))` (murmur3 of the key's canonical
 * string) and `instanceOfGroup(group, n)`. Today `keyGroupOf` runs only at snapshots, so this measures
 * its per-record price on Netflow-like keys, in one process, with no pipeline around it:
 * - IPv4 strings: the source addresses of the real Zeek sample (`<repo>/../shared/data/zeek-conn-mixed.log`,
 *   or in `WATERSHED_SHARED_DATA=<dir>`; read in place, never copied; skipped when absent), and
 *   synthetic dotted quads (65,536 distinct);
 * - IPv4 numbers: the Netflow job keys by `src_ip4`, a 32-bit number (`BySourceIp`).
 * Prints ns per record, wall clock and CPU time (each the best of `--rounds`), for encodeKey alone,
 * encodeKey + keyGroupOf, and encodeKey + keyGroupOf + instanceOfGroup.
 *
 * Usage: `npx tsx bench/key-group-routing.ts [--records=N] [--rounds=N] [--instances=N]`
 * (defaults 2,000,000 records, 5 rounds, 4 instances); `npm run bench` runs it as its `routing` case.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instanceOfGroup } from '../runners/core/exchange/key-group-ranges.js';
import { keyGroupOf } from '../runners/core/state/key-groups.js';
import { parseCommandLine } from '../sdk/command-line.js';
import { encodeKey } from '../sdk/kv.js';

const { values: args } = parseCommandLine(
  process.argv.slice(2),
  {
    records: { type: 'string', value: 'N', help: 'records per measurement (default 2,000,000)' },
    rounds: { type: 'string', value: 'N', help: 'measurements per case, best kept (default 5)' },
    instances: { type: 'string', value: 'N', help: 'instances routed to (default 4)' },
  },
  { program: 'bench:key-group-routing', usage: 'npx tsx bench/key-group-routing.ts [flags]' },
);
const records = Number(args.records ?? 2_000_000);
const rounds = Number(args.rounds ?? 5);
const instances = Number(args.instances ?? 4);

const SHARED_DATA = process.env['WATERSHED_SHARED_DATA'] ?? fileURLToPath(new URL('../../shared/data/', import.meta.url));
const ZEEK = `${SHARED_DATA.replace(/\/?$/, '/')}zeek-conn-mixed.log`;

/** The IPv4 source addresses (id.orig_h) of the Zeek sample, one per flow, in file order. */
function zeekSources(): string[] {
  if (!existsSync(ZEEK)) return [];
  const lines = readFileSync(ZEEK, 'utf8').split('\n');
  const fields = lines.find((l) => l.startsWith('#fields'))?.split('\t').slice(1) ?? [];
  const col = fields.indexOf('id.orig_h');
  return lines.filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split('\t')[col]!).filter((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip));
}

/** 65,536 distinct dotted quads in 10.0.0.0/8, in a scrambled but fixed order. */
function syntheticQuads(): string[] {
  return Array.from({ length: 65_536 }, (_, i) => {
    const x = Math.imul(i, 0x9e3779b1) >>> 16;
    return `10.${(x >> 8) & 255}.${x & 255}.${(i * 7) & 255}`;
  });
}

/**
 * ns per record of `work` over `keys` (cycled to `records`), by wall clock and by CPU time (the steadier
 * figure on a shared machine), each the best of `rounds`; `work` returns a number so it cannot be skipped.
 */
function measure(keys: readonly unknown[], work: (key: unknown) => number): { ns: number; cpuNs: number; check: number } {
  let best = Number.POSITIVE_INFINITY;
  let bestCpu = Number.POSITIVE_INFINITY;
  let check = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    let sum = 0;
    for (let i = 0, k = 0; i < records; i++) {
      sum += work(keys[k]);
      if (++k === keys.length) k = 0;
    }
    const cpu = process.cpuUsage(cpu0);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / records);
    bestCpu = Math.min(bestCpu, ((cpu.user + cpu.system) * 1000) / records);
    check = sum;
  }
  return { ns: best, cpuNs: bestCpu, check };
}

const cases: [string, readonly unknown[]][] = [];
const zeek = zeekSources();
if (zeek.length === 0) console.log(`(Zeek sample not found at ${ZEEK}: its case is skipped)`);
else cases.push([`Zeek source IPs (${zeek.length.toLocaleString()} flows, ${new Set(zeek).size.toLocaleString()} distinct)`, zeek]);
const quads = syntheticQuads();
cases.push(['synthetic IPv4 strings (65,536 distinct)', quads]);
cases.push(['IPv4 as 32-bit numbers (src_ip4)', quads.map((q) => q.split('.').reduce((n, b) => n * 256 + Number(b), 0))]);

const stepsOf: [string, (key: unknown) => number][] = [
  ['encodeKey', (k) => (encodeKey(k) === null ? 0 : 1)],
  ['+ keyGroupOf', (k) => keyGroupOf(encodeKey(k))],
  [`+ instanceOfGroup (n=${instances})`, (k) => instanceOfGroup(keyGroupOf(encodeKey(k)), instances)],
];

console.log(`Key-group routing: ns per record, wall (CPU), best of ${rounds} × ${records.toLocaleString()} records, 128 key groups`);
console.log(`${'keys'.padEnd(52)} ${stepsOf.map(([s]) => s.padStart(26)).join('')}`);
let checks = 0;
for (const [label, keys] of cases) {
  const row = stepsOf.map(([, work]) => measure(keys, work));
  for (const r of row) checks += r.check;
  console.log(`${label.padEnd(52)} ${row.map((r) => `${r.ns.toFixed(1)} (${r.cpuNs.toFixed(1)}) ns`.padStart(26)).join('')}`);
}
console.log(`(checksum ${checks})`);
