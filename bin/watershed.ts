/**
 * The Watershed command line.
 *
 *   npm start -- [netflow] [--runner=native|microbatch] [--input=...] [--output=...] [...]   (the default command)
 *   npm start -- example [--runner=native|microbatch] [--batchInterval=1s] [--count=2000] [--progress]
 *   npm run compare -- [netflow flags] [--name=<report name>]
 *   npm start -- generate --output=kafka:<topic>|ndjson:<path> [--brokers=...] [generator flags]
 *
 * Runs a job in-process on the chosen runner and prints its outputs and per-step metrics; `compare`
 * runs the Netflow job on both runners and writes out/compare/<name>/report.html and report.json.
 */
import './require-node.js'; // first: stops with a clear message on a Node older than 24
import '../runners/index.js';
import { Pipeline } from '../sdk/pipeline.js';
import { formatWindow } from '../sdk/window.js';
import { ParDo } from '../transforms/par-do.js';
import { windowedPageViews } from '../pipelines/examples/windowed-page-views.js';
import { WatershedError } from '../sdk/errors.js';
import { formatMetrics } from './format-metrics.js';
import { NETFLOW_FLAGS, netflowCommand } from './netflow-command.js';
import { compareCommand } from './compare-command.js';
import { GENERATE_FLAGS, generateCommand } from './generate-command.js';
import { checkFlags, UnknownFlagError } from '../sdk/check-flags.js';
import { usageOf } from './usage.js';
import { PIPELINE_FLAGS } from '../sdk/options.js';

const argv = process.argv.slice(2);
const named = argv[0] !== undefined && !argv[0].startsWith('-');
const command = named ? argv[0]! : 'netflow';
const flags = argv.filter((a) => a.startsWith('--'));

if (command === 'help' || argv.includes('--help') || argv.includes('-h')) {
  console.log(usageOf(command === 'help' ? argv[1] : named ? command : undefined));
  process.exit(0);
}

async function example(): Promise<void> {
  // Small bundles and batches, so the watermark moves while data flows and late data shows up.
  const p = Pipeline.create(['--bundleSize=20', '--maxBatchSize=100', ...flags]);
  const count = Number(p.options.args['count'] ?? 2000);
  const { perUser, busiest } = windowedPageViews(p, count);
  perUser.apply(
    'PrintCounts',
    ParDo.of({
      process(e: { key: string; value: number }, ctx) {
        if (ctx.pane.timing === 'LATE') console.log(`${formatWindow(ctx.window)} LATE pane #${ctx.pane.index}: ${e.key} now ${e.value}`);
      },
    }),
  );
  busiest.apply(
    'PrintBusiest',
    ParDo.of({
      process(top: { key: string; value: number }[], ctx) {
        console.log(`${formatWindow(ctx.window)} ${ctx.pane.timing} busiest: ${top.map((t) => `${t.key}=${t.value}`).join(', ')}`);
      },
    }),
  );
  console.log(`Windowed page views on the '${p.options.runner}' runner (${count} generated views)\n`);
  const result = await p.run();
  console.log(`\n${formatMetrics(result)}`);
}

const netflowFlags = [...PIPELINE_FLAGS, ...NETFLOW_FLAGS];
const commands: Record<string, { flags: readonly string[]; run: () => Promise<void> }> = {
  example: { flags: [...PIPELINE_FLAGS, 'count'], run: example },
  netflow: { flags: netflowFlags, run: async () => void (await netflowCommand(flags)) },
  compare: { flags: [...netflowFlags, 'name', 'outDir'], run: () => compareCommand(flags) },
  generate: { flags: [...PIPELINE_FLAGS, ...GENERATE_FLAGS], run: () => generateCommand(flags) },
};

const chosen = commands[command];
if (!chosen) {
  console.error(`unknown command '${command}'. Commands: ${Object.keys(commands).join(', ')} (npm start -- --help)`);
  process.exit(2);
}
try {
  checkFlags(command, flags, chosen.flags);
} catch (e) {
  if (!(e instanceof UnknownFlagError)) throw e;
  console.error(`${e.name}: ${e.message}`);
  process.exit(2);
}
chosen.run().catch((e: unknown) => {
  console.error(e instanceof WatershedError || (e instanceof Error && e.name === 'NotAvailableError') ? `${e.name}: ${e.message}` : e);
  process.exit(1);
});
