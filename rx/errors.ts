import { shorten, WatershedError } from '../sdk/errors.js';
import type { RunOutcome } from '../sdk/dofn.js';

/**
 * An Observable read by {@link RxIO.read} pushed more elements than its bound (`maxBuffered`) before
 * the pipeline took them. An Observable cannot be paused, so rather than grow without limit (and run
 * out of memory later, somewhere else) the run fails here: it names the step and the bound. Raise
 * `maxBuffered`, or slow the Observable down upstream (e.g. rxjs `bufferTime`, `sampleTime`,
 * `concatMap` with a delay). Not retriable: the same input overflows again.
 * @example new ObservableOverflowError('Clicks', 100_000)
 */
export class ObservableOverflowError extends WatershedError {
  readonly step: string;
  readonly maxBuffered: number;
  constructor(step: string, maxBuffered: number) {
    super(
      'OBSERVABLE_OVERFLOW',
      `source step '${step}': the Observable pushed more than maxBuffered=${maxBuffered} elements ahead of the pipeline ` +
        `(an Observable cannot be paused); raise maxBuffered or slow it down upstream`,
    );
    this.step = step;
    this.maxBuffered = maxBuffered;
  }
}

/**
 * The Observable read by {@link RxIO.read} signalled an error. The run fails with it (wrapped by the
 * runner in a SourceError naming the step); the elements that came before it were handed to the
 * pipeline first. `cause` is what the Observable sent.
 * @example new ObservableSourceError('Clicks', new Error('socket closed'))
 */
export class ObservableSourceError extends WatershedError {
  readonly step: string;
  constructor(step: string, cause: unknown) {
    super('OBSERVABLE_ERROR', `source step '${step}': the Observable failed: ${cause instanceof Error ? cause.message : shorten(cause)}`, { cause });
    this.step = step;
  }
}

/**
 * An Observable of a run's output or progress ended because the run did not finish normally: it
 * failed (`run()` rejects with the cause) or was cancelled. Sent as the Observable's error, so a
 * subscriber can tell a stream cut short from a complete one.
 * @example new RunEndedError('Counts/Out', 'failed')
 */
export class RunEndedError extends WatershedError {
  /** The step whose output the Observable carried, or undefined for the run's progress and metrics. */
  readonly step: string | undefined;
  readonly outcome: Exclude<RunOutcome, 'done'>;
  constructor(step: string | undefined, outcome: Exclude<RunOutcome, 'done'>, detail?: string) {
    super(
      'RUN_ENDED',
      `${step === undefined ? 'the run' : `the output of step '${step}'`} ended early: the run ${outcome === 'failed' ? 'failed' : 'was cancelled'}` +
        (detail ? ` (${detail})` : ''),
    );
    this.step = step;
    this.outcome = outcome;
  }
}
