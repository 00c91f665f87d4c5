import type { Writable } from 'node:stream';

/**
 * Keeps the first error of a write to the process's stdout, instead of letting it crash the process
 * (an 'error' event nothing listens to) or vanish (console.log ignores write errors, so a command whose
 * stdout is a full disk would exit 0 with its output lost). Install it before anything is printed; the
 * command line asks {@link StdoutGuard.failure} once its command is done.
 * @example const guard = new StdoutGuard(); ...; const failed = await guard.failure(); if (failed) ...
 */
export class StdoutGuard {
  private first: Error | undefined;

  constructor(private readonly stream: Writable = process.stdout) {
    stream.on('error', (e: Error) => {
      this.first ??= e;
    });
  }

  /**
   * Waits until what was written to the stream so far has been handed to the system (or failed), and
   * returns the first write error, or undefined when every write went through.
   */
  async failure(): Promise<Error | undefined> {
    // Only what is still queued (a socket is written asynchronously; a file or pipe at once): an empty
    // write to a full disk fails too, so nothing is written when nothing waits.
    if (this.first === undefined && !this.stream.destroyed && this.stream.writableLength > 0) {
      await new Promise<void>((done) => this.stream.write('', () => done()));
    }
    // a failed write destroys the stream at once, and emits its 'error' a tick later
    return this.first ?? this.stream.errored ?? undefined;
  }
}
