/**
 * Where a graceful stop of one run stands: `running` (none asked), `asked` (by `PipelineRun.stop`;
 * the loop has not reached a boundary since), `stopping` (the loop returned at a boundary: a final
 * checkpoint follows), `draining` (every read was ended at +∞: the loop runs on until every window
 * and timer fired), `moot` (a drain was asked when every input had ended anyway: the run finishes as
 * usual).
 */
export type StopPhase = 'running' | 'asked' | 'stopping' | 'draining' | 'moot';

/**
 * A graceful stop asked for by `PipelineRun.stop`, shared by the run handle (which asks) and the
 * runner's loop (which honours it at its next quiescent point, see RunContext.stopRequested).
 *
 * @example
 * const stop = new StopRequest();
 * stop.ask({ drain: true });   // from the handle or a signal handler
 * stop.phase;                  // 'asked', until the loop reaches a boundary
 */
export class StopRequest {
  private current: StopPhase = 'running';
  private wantsDrain = false;
  /** Called once, when a stop is first asked for (a loop waiting for input must wake up). */
  onAsk: (() => void) | undefined;

  get phase(): StopPhase {
    return this.current;
  }

  /** A drain was asked for (possibly after a plain stop, before either took effect). */
  get drain(): boolean {
    return this.wantsDrain;
  }

  /** Asks for a stop (a drain with `drain`). A drain asked for before a plain stop took effect wins; later asks change nothing. */
  ask(options: { readonly drain?: boolean } = {}): void {
    if (this.current === 'running') {
      this.current = 'asked';
      this.onAsk?.();
    }
    if (this.current === 'asked' && options.drain === true) this.wantsDrain = true;
  }

  /** The loop took the stop into account (see StopPhase). @throws Error unless a stop was asked and not yet taken. */
  honour(phase: 'stopping' | 'draining' | 'moot'): void {
    if (this.current !== 'asked') throw new Error(`StopRequest: cannot go from ${this.current} to ${phase}`);
    this.current = phase;
  }
}
