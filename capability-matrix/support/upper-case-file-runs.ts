import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { FILE_CHECKPOINT_INTERVAL, FILE_TUNING, upperCaseFile, writeLinesInput } from './checkpoint-scenarios.js';
import { PREPARE_TIMEOUT_MS } from './store-scenario-run.js';
import { TickingClock } from './ticking-clock.js';

/**
 * The runs a text-file crash case makes before its measured run (the Checkpoint and Exactly-once rows'
 * file cases): {@link upperCaseFile} over a 2,000-line input, in small bundles and batches on a clock
 * that ticks per read, so the checkpoint interval elapses without a TestStream.
 */

/** What {@link prepareUpperCaseFile} leaves: the input, the failure-free run's lines, and where the checkpointed runs write. */
export interface UpperCaseFileRuns {
  /** The lines of a failure-free run's single output file. */
  readonly expected: readonly string[];
  readonly input: string;
  /** The output (a part folder) of the checkpointed runs. */
  readonly out: string;
  /** Their checkpoint directory. */
  readonly dir: string;
  /** Runs the pipeline on `runner` with checkpoints in `dir`, writing to `out` (crashing where a failpoint is armed). */
  readonly checkpointed: (runner: string) => Promise<PipelineResult>;
}

/** One run of {@link upperCaseFile} from `input` to `out`, cancelled after {@link PREPARE_TIMEOUT_MS}, with `options` on top. */
function runUpperCaseFile(options: Partial<PipelineOptions>, input: string, out: string): Promise<PipelineResult> {
  const p = Pipeline.create({ clock: new TickingClock(), signal: AbortSignal.timeout(PREPARE_TIMEOUT_MS), ...FILE_TUNING, ...options });
  upperCaseFile(p, input, out);
  return p.run();
}

/**
 * Writes the input into a new `tmp('in')` folder and runs the pipeline once failure-free on `runner`
 * (no checkpoints) for the expected lines; the checkpointed runs get a new `tmp('out')` and `tmp('ck')`.
 * @example const r = await prepareUpperCaseFile(ctx.runner, tmp); await crashAt(crash, () => r.checkpointed(ctx.runner));
 */
export async function prepareUpperCaseFile(runner: string, tmp: (prefix: string) => string): Promise<UpperCaseFileRuns> {
  const input = writeLinesInput(tmp('in'));
  const plain = join(tmp('out'), 'plain.txt');
  await runUpperCaseFile({ runner }, input, plain);
  const expected = readFileSync(plain, 'utf8').replace(/\n$/, '').split('\n');
  const out = join(tmp('out'), 'parts.txt');
  const dir = tmp('ck');
  const checkpointed = (on: string) => runUpperCaseFile({ runner: on, checkpointDir: dir, checkpointInterval: FILE_CHECKPOINT_INTERVAL }, input, out);
  return { expected, input, out, dir, checkpointed };
}

/** The measured run's options: it resumes the checkpoints in `dir` (same clock kind, tuning and interval as the checkpointed runs). */
export const upperCaseFileResumeOptions = (dir: string): Partial<PipelineOptions> => ({
  clock: new TickingClock(),
  ...FILE_TUNING,
  checkpointDir: dir,
  checkpointInterval: FILE_CHECKPOINT_INTERVAL,
});
