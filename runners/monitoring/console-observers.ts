import type { PipelineOptions } from '../../sdk/options.js';
import type { RunObserver } from '../../sdk/run-observer.js';
import { BatchLog } from './batch-log.js';
import { ProgressLine } from './progress-line.js';

/** What the progress line needs of stderr. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/**
 * The observers every run of the built-in runners gets on the console: the live progress line when
 * `stream` (stderr) is a terminal; a plain line every 5 s, and one line per micro-batch, when it is not and `--progress` asks for it;
 * with `--quiet` only the per-batch lines that `--progress` asks for on a pipe.
 * @example consoleObservers(options) // [ProgressLine] on a terminal, [] when stderr is piped
 */
export function consoleObservers(options: Pick<PipelineOptions, 'progress' | 'quiet'>, stream: ProgressStream = process.stderr): RunObserver[] {
  const write = (text: string) => void stream.write(text);
  // --progress asks for the per-batch log by name: --quiet (no summary, no progress line) keeps it.
  if (options.quiet) return options.progress && stream.isTTY !== true ? [new BatchLog(write)] : [];
  if (stream.isTTY === true) return [new ProgressLine({ write, mode: 'live', columns: () => stream.columns })];
  if (options.progress) return [new ProgressLine({ write, mode: 'plain' }), new BatchLog(write)];
  return [];
}
