/**
 * `npx tsx bench/long-line.ts [--mib=N] [--module=path]`: the time LineReader takes to read one line of N MiB
 * (default 64) followed by a short one, in 256 KiB chunks. A line spread over many chunks must cost time
 * linear in its length (its chunks joined once), not quadratic (joined again at every chunk).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCommandLine } from '../sdk/command-line.js';

const { values: args } = parseCommandLine(
  process.argv.slice(2),
  {
    mib: { type: 'string', value: 'N', help: 'length of the long line in MiB (default 64)' },
    module: { type: 'string', value: 'path', help: 'the line reader module to measure (default transforms/io/line-reader.ts)' },
  },
  { program: 'long-line', usage: 'npx tsx bench/long-line.ts [flags]' },
);
const mib = Number(args.mib ?? 64);
const modulePath = resolve(args.module ?? new URL('../transforms/io/line-reader.ts', import.meta.url).pathname);
const { LineReader } = (await import(pathToFileURL(modulePath).href)) as typeof import('../transforms/io/line-reader.js');

const dir = mkdtempSync(join(tmpdir(), 'bench-long-line-'));
try {
  const path = join(dir, 'long.txt');
  writeFileSync(path, Buffer.concat([Buffer.alloc(mib << 20, 0x78), Buffer.from('\nshort\n')]));
  const t0 = process.hrtime.bigint();
  const r = await LineReader.open(path);
  let lines = 0;
  for (let done = false; !done; ) {
    const b = await r.next(10);
    lines += b.lines.length;
    done = b.done;
  }
  await r.close();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`${mib} MiB line + 1 short line: ${lines} lines in ${ms.toFixed(0)} ms (${((mib / ms) * 1000).toFixed(0)} MiB/s)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
