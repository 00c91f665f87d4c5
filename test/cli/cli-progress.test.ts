import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { FifoInput, killLeftoverRuns, pageSays, startCli, until } from '../support/live-cli.js';

afterEach(killLeftoverRuns);

const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.warn('\n*** cli-progress: `script` (util-linux) is missing: the progress line on a terminal is NOT tested ***\n');

const job = (fifo: FifoInput, runner: string) => [`--input=ndjson:${fifo.path}`, '--window=1s', '--maxOutOfOrderness=1s', '--bundleSize=10', `--runner=${runner}`];

describe.each(['native', 'microbatch'])('the progress line of a %s run', (runner) => {
  it.skipIf(!hasScript)('on a terminal: one line redrawn in place while the run goes, erased before the summary', { timeout: 240_000 }, async () => {
    const fifo = new FifoInput();
    fifo.write(50);
    const run = startCli(job(fifo, runner), { terminal: true });
    try {
      // The line shows once the run has lasted a second; the pipe keeps the run going until then.
      await run.waitFor(new RegExp(`\\r\\[${runner}\\] \\d[^\\r\\n]* in \\d+[^\\r\\n]* out \\d+[^\\r\\n]* wm `));
      fifo.write(50);
      await run.waitFor(/ in 100 /);
    } finally {
      fifo.close();
    }
    expect(await run.exitCode()).toBe(0);
    const out = run.output();
    // erased, then the summary starts on a clean line
    expect(out).toMatch(/\r\x1b\[K(\x1b\[K)?Netflow job on the/);
    expect(out).not.toMatch(/\n\[(native|microbatch)\] \d/); // never a line of its own
  });

  it('where stderr is not a terminal: none (nor with --quiet), unless --progress asks for plain lines', { timeout: 400_000 }, async () => {
    for (const extra of [[], ['--progress', '--quiet']]) {
      const fifo = new FifoInput();
      fifo.write(30);
      const run = startCli([...job(fifo, runner), '--ui', ...extra]);
      try {
        // Past the second after which a terminal would show the line (the page says how long it ran).
        const url = (await run.waitFor(/http:\/\/127\.0\.0\.1:\d+\//))[0];
        await until(async () => {
          const now = await pageSays(url);
          return now.runningMs >= 2000 && now.recordsIn === 30;
        });
      } finally {
        fifo.close();
      }
      expect(await run.exitCode()).toBe(0);
      expect(run.output()).not.toMatch(/\[(native|microbatch)\] \d/);
      expect(run.output()).not.toContain('\r');
    }

    const fifo = new FifoInput();
    fifo.write(30);
    const logged = startCli([...job(fifo, runner), '--progress']);
    try {
      // a plain line once the 30 lines are read (so the pipe was opened before its writer goes away)
      await logged.waitFor(new RegExp(`(^|\\n)\\[${runner}\\] \\d[^\\r\\n]* in 30 [^\\r\\n]*\\n`));
    } finally {
      fifo.close();
    }
    expect(await logged.exitCode()).toBe(0);
    expect(logged.output()).not.toContain('\r');
  });
});
