/** A repeat of the signal within this long is taken for the same Ctrl-C, relayed. */
const DUPLICATE_WINDOW_MS = 1_000;

/**
 * Ctrl-C for a run that follows an unbounded input: the first SIGINT or SIGTERM drains the run
 * (the returned signal aborts: the input stops reading, every open window fires, the outputs are
 * written and the run finishes normally); a second one (more than a second later) exits at once
 * (code 130 / 143), losing what was not written yet. `dispose()` restores the default behaviour.
 * Run the CLI as `node --import tsx` (what `npm start` does), not through the `tsx` launcher: that
 * launcher relays signals to its child and kills the child if it does not acknowledge within 30 ms,
 * which a child busy firing its windows cannot do.
 *
 * @example
 * const drain = drainOnSignals('the Kafka input');
 * try { await runNetflowApp(p, { ...config, kafka: { ...config.kafka, drain: drain.signal } }); } finally { drain.dispose(); }
 */
export function drainOnSignals(what: string): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let firstAt = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      // One Ctrl-C can arrive twice: from the terminal (to the whole process group) and relayed by a
      // wrapper process (npm, tsx). A repeat within a second is taken for that echo.
      if (Date.now() - firstAt < DUPLICATE_WINDOW_MS) return;
      process.stderr.write(`\n${name} again: stopping at once; outputs of open windows are lost\n`);
      process.exit(name === 'SIGTERM' ? 143 : 130);
    }
    process.stderr.write(`\n${name}: draining: ${what} stops reading, open windows fire and their outputs are written (${name === 'SIGINT' ? 'Ctrl-C' : name} again stops at once)\n`);
    firstAt = Date.now();
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
