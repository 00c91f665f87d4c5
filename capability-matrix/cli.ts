import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../sdk/options.js';
import { generate, REPORT_FILES, selectRunners } from './generate.js';

/**
 * `npm run capability-matrix [-- --runner=native,microbatch]`: runs the conformance suite on every
 * registered runner (or those given) and writes capability-matrix/report.md, report.json and
 * report.html. Commit the result: report-up-to-date.test.ts fails when it is stale.
 */

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const only = args['runner']
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);

try {
  const runners = selectRunners(only);
  const { suite, files } = await generate(runners, undefined, (runner, cap) => process.stderr.write(`  ${runner.padEnd(12)} ${cap.id}\n`));
  for (const name of REPORT_FILES) writeFileSync(join(here, name), files[name]);
  const tally = (r: string) => {
    const counts: Record<string, number> = {};
    for (const c of suite.capabilities) counts[c.cells[r]!.verdict] = (counts[c.cells[r]!.verdict] ?? 0) + 1;
    return Object.entries(counts)
      .map(([v, k]) => `${k} ${v}`)
      .join(', ');
  };
  for (const r of runners) process.stdout.write(`${r}: ${tally(r)}\n`);
  process.stdout.write(`wrote ${REPORT_FILES.map((f) => `capability-matrix/${f}`).join(', ')}\n`);
  if (only) process.stdout.write('note: --runner limits the columns; the committed report covers every registered runner (run without --runner before committing).\n');
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
