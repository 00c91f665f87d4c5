/**
 * `npm start -- example [--count=2000] [pipeline flags]`: the windowed page-views example, printing
 * LATE panes and the busiest users per window, then per-step metrics.
 */
import { PipelineOptionsError } from '../sdk/errors.js';
import type { DeadLetter } from '../sdk/dead-letter.js';
import { Pipeline } from '../sdk/pipeline.js';
import { printable } from '../sdk/internal/printable.js';
import { formatWindow } from '../sdk/window.js';
import { ParDo } from '../transforms/par-do.js';
import { WINDOWED_PAGE_VIEWS_FLAGS, windowedPageViews } from '../pipelines/examples/windowed-page-views.js';
import { DashboardSession } from './dashboard/dashboard-session.js';
import { formatMetrics } from './format-metrics.js';
import { DASHBOARD_FLAGS } from './netflow-flags.js';

/** Flags of `example` besides the pipeline's: the example job's own, and the dashboard's. */
export const EXAMPLE_FLAGS = { ...WINDOWED_PAGE_VIEWS_FLAGS, ...DASHBOARD_FLAGS };

/**
 * `--count`'s value (default 2000): a whole number 0..2^53 - 1 in decimal digits.
 * @throws PipelineOptionsError naming the flag and the value otherwise (Number() read ' ' as 0 and 0x10 as 16).
 * @example exampleCount('50') // 50
 */
export function exampleCount(text: string | undefined): number {
  if (text === undefined) return 2000;
  const count = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(count)) throw new PipelineOptionsError(`--count: expected a whole number up to 2^53 - 1, got '${text}'`);
  return count;
}

/** Runs `example`. @throws PipelineOptionsError for bad flags, before anything runs. */
export async function exampleCommand(argv: readonly string[]): Promise<void> {
  // Small bundles and batches (unless given), so the watermark moves while data flows and late data shows up.
  const init = { flags: EXAMPLE_FLAGS, program: 'example', defaults: { bundleSize: 20, maxBatchSize: 100 } };
  const args = Pipeline.create(argv, init).options.args;
  const count = exampleCount(args.count);
  const dashboard = await DashboardSession.open(args);
  const p = Pipeline.create(argv, { ...init, ...(dashboard ? { observers: dashboard.observers } : {}) });
  buildExample(p, count);
  console.log(`Windowed page views on the '${p.options.runner}' runner (${count} generated views)\n`);
  let result;
  try {
    result = await p.run();
  } finally {
    await dashboard?.close();
  }
  console.log(`\n${formatMetrics(result)}`);
}

/**
 * Adds the example job and its printing steps to `p`: LATE panes and the busiest users on stdout, and
 * any dead letter of the read (a view whose timestamp is not an instant) on stderr, so none goes unread.
 */
export function buildExample(p: Pipeline, count: number): void {
  const { views, perUser, busiest } = windowedPageViews(p, count);
  views.deadLetters().apply(
    'PrintDeadLetters',
    ParDo({
      process(d: DeadLetter) {
        console.error(`dead letter of step '${printable(d.step)}' (${printable(d.reason)}): ${printable(d.message)}`);
      },
    }),
  );
  perUser.apply(
    'PrintCounts',
    ParDo({
      process(e: { key: string; value: number }, ctx) {
        if (ctx.pane.timing === 'LATE') console.log(`${formatWindow(ctx.window)} LATE pane #${ctx.pane.index}: ${e.key} now ${e.value}`);
      },
    }),
  );
  busiest.apply(
    'PrintBusiest',
    ParDo({
      process(top: { key: string; value: number }[], ctx) {
        console.log(`${formatWindow(ctx.window)} ${ctx.pane.timing} busiest: ${top.map((t) => `${t.key}=${t.value}`).join(', ')}`);
      },
    }),
  );
}
