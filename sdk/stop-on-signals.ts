import type { PipelineResult, StopOptions } from './runner.js';

/** The signals that stop a run. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** A repeat of the signal within this long is taken for the same Ctrl-C, relayed (ms). */
export const DUPLICATE_WINDOW_MS = 1_000;

/** The part of `process` that {@link stopOnSignals} uses (a fake one in tests). */
export interface SignalProcess {
  on(signal: StopSignal, listener: (signal: StopSignal) => void): unknown;
  off(signal: StopSignal, listener: (signal: StopSignal) => void): unknown;
  exit(code: number): void;
}

export interface StopOnSignalsOptions {
  /** Drain instead of stopping (`--drain`). */
  readonly drain: boolean;
  /** The run takes checkpoints. Without, a stop drains: there is nowhere to keep open windows. */
  readonly checkpoints: boolean;
  /**
   * Wall-clock milliseconds, injected (the SDK never reads the clock): tells a relayed repeat of one
   * Ctrl-C from a second one.
   */
  readonly now: () => number;
  /** Default: the real `process`. */
  readonly process?: SignalProcess;
  /** Where the notices go. Default: stderr. */
  readonly write?: (text: string) => void;
}

/**
 * Stops a run gracefully on the first SIGTERM or SIGINT: calls `run.stop({drain})` and prints
 * `[watershed] stopping: taking a final checkpoint (signal again to exit at once)` (or what a drain
 * does), then one line when the run has stopped. A second signal, a second or more after the first,
 * exits the process at once (code 143 for SIGTERM, 130 for SIGINT), losing output not committed yet;
 * the next run resumes from the last complete checkpoint. One Ctrl-C can arrive twice, from the
 * terminal (to the whole process group) and relayed by a wrapper (npm), so a repeat within
 * {@link DUPLICATE_WINDOW_MS} is ignored. `dispose()` removes the handlers (the runner calls it when
 * the run ends). Run the CLI as `node --import tsx` (what `npm start` does), not through the `tsx`
 * launcher, which kills a child that does not acknowledge a relayed signal within 30 ms.
 *
 * @example
 * const signals = stopOnSignals(run, { drain: false, checkpoints: true, now: () => clock.now() });
 * try { await run.done; } finally { signals.dispose(); }
 */
export function stopOnSignals(run: { stop(options?: StopOptions): Promise<PipelineResult> }, options: StopOnSignalsOptions): { dispose(): void } {
  const proc: SignalProcess = options.process ?? process;
  const write = options.write ?? ((text: string) => void process.stderr.write(text));
  const drains = options.drain || !options.checkpoints;
  let firstAt: number | undefined;
  const onSignal = (signal: StopSignal): void => {
    if (firstAt !== undefined) {
      if (options.now() - firstAt < DUPLICATE_WINDOW_MS) return;
      write(`\n[watershed] ${signal} again: exiting at once; ${options.checkpoints ? 'output not committed yet is lost, the next run resumes from the last checkpoint' : 'the output of open windows is lost'}\n`);
      dispose();
      proc.exit(signal === 'SIGTERM' ? 143 : 130);
      return;
    }
    firstAt = options.now();
    write(`\n[watershed] ${firstNotice(options.checkpoints, drains)} (signal again to exit at once)\n`);
    run.stop({ drain: options.drain }).then(
      (result) => {
        const line = stoppedNotice(result);
        if (line) write(`[watershed] ${line}\n`);
      },
      () => undefined, // the run's own error surfaces through run.done
    );
  };
  const dispose = (): void => {
    for (const s of STOP_SIGNALS) proc.off(s, onSignal);
  };
  for (const s of STOP_SIGNALS) proc.on(s, onSignal);
  return { dispose };
}

function firstNotice(checkpoints: boolean, drains: boolean): string {
  if (!drains) return 'stopping: taking a final checkpoint';
  return checkpoints
    ? 'draining: the input stops, every window fires its last pane and every timer fires, then a final checkpoint'
    : 'draining: the input stops, every open window fires and its output is written';
}

/** What to say once the run has ended after a signal (nothing for a run that finished by itself meanwhile). */
function stoppedNotice(result: PipelineResult): string | undefined {
  const last = result.checkpoints?.taken.at(-1)?.name;
  if (result.state === 'STOPPED') return `stopped at ${last ?? 'the final checkpoint'}: run the same command again to resume`;
  if (result.state === 'DRAINED') return last ? `drained; final checkpoint ${last} (a drained job cannot be resumed)` : 'drained';
  return undefined;
}
