import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FifoInput, startCli } from '../support/live-cli.js';

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
    expect(await run.exited).toBe(0);
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
          const view = (await (await fetch(`${url}view.json`)).json()) as { sections: { summary: string } };
          const m = /running for<\/th><td>([\d.]+)(ms|s)/.exec(view.sections.summary);
          return m !== null && m[2] === 's' && Number(m[1]) >= 2;
        });
      } finally {
        fifo.close();
      }
      expect(await run.exited).toBe(0);
      expect(run.output()).not.toMatch(/\[(native|microbatch)\] \d/);
      expect(run.output()).not.toContain('\r');
    }

    const fifo = new FifoInput();
    fifo.write(30);
    const logged = startCli([...job(fifo, runner), '--progress']);
    try {
      await logged.waitFor(new RegExp(`(^|\\n)\\[${runner}\\] \\d[^\\r\\n]* in \\d+[^\\r\\n]*\\n`));
    } finally {
      fifo.close();
    }
    expect(await logged.exited).toBe(0);
    expect(logged.output()).not.toContain('\r');
  });
});

/** Polls `condition` until it holds (every 200 ms, at most 2 minutes). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the condition never held');
}
