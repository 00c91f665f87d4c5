import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCrashHarness } from './crash-harness.js';
import { jobArgs, runCli } from './crash-job.js';
import { CRASH_JOBS } from './crash-jobs.js';
import { expectExactlyOnce } from './expect-exactly-once.js';
import { readTextOutput } from './crash-output.js';

/**
 * The SIGKILL harness with file input (`--input=ndjson:`: the checkpoint holds the byte offset) and
 * the TextFile sink (a folder of part files), no broker: the windowed count with early and late
 * panes, and a small Netflow job (also at --parallelism=2), each killed twice at seeded moments (both runners),
 * then run to the end. The finished part files must hold exactly the failure-free output, and no in-progress part
 * (nor anything else visible) may be left in the folder. `npm run test:crash` runs 20 kills of each.
 */

describe('SIGKILL at seeded moments, NDJSON file → TextFile parts, with --checkpointDir', () => {
  it('windowed count (early, on-time and late panes, accumulating): 2 kills; both runners give the same failure-free panes, and every chain publishes exactly them', async () => {
    const lines: string[] = [];
    const report = await runCrashHarness({ job: CRASH_JOBS['count-file']!, kills: 2, seed: 1, killsPerChain: 2, log: (l) => lines.push(l) });
    expect(report.referencesAgree, lines.join('\n')).toBe(true);
    expectExactlyOnce(report, lines, 2);
  }, 600_000);

  it('Netflow (4,000 events, 112,697 pairs): 2 kills, every chain publishes exactly the failure-free pairs', async () => {
    const lines: string[] = [];
    const report = await runCrashHarness({ job: CRASH_JOBS['small-file']!, kills: 2, seed: 3, killsPerChain: 2, log: (l) => lines.push(l) });
    expectExactlyOnce(report, lines, 2);
  }, 600_000);

  it('Netflow at --parallelism=2 (its GroupByKey as 2 instances): 2 kills, every chain publishes exactly the failure-free pairs', async () => {
    const lines: string[] = [];
    const report = await runCrashHarness({ job: CRASH_JOBS['small-file-p2']!, kills: 2, seed: 5, killsPerChain: 2, log: (l) => lines.push(l) });
    expectExactlyOnce(report, lines, 2);
  }, 600_000);
});

describe('a corrupt checkpoint after a SIGKILL, through the command line', () => {
  it('the newest checkpoint truncated: the rerun (on the other runner) warns, resumes from the one before, and the parts hold exactly the failure-free panes', async () => {
    const job = CRASH_JOBS['count-file']!;
    const work = mkdtempSync(join(tmpdir(), 'watershed-crash-corrupt-'));
    try {
      const input = join(work, 'input.ndjson');
      await job.writeInput({ kind: 'ndjson', path: input });
      const args = (runner: 'native' | 'microbatch', out: string, checkpointDir?: string) =>
        jobArgs(job, { runner, input: `ndjson:${input}`, output: `ndjson:${out}`, ...(checkpointDir ? { checkpointDir } : {}) });
      const plain = join(work, 'plain.ndjson');
      expect((await runCli(args('native', plain), { script: job.script })).code).toBe(0);
      const expected = readTextOutput(plain, job.normalize).lines;
      expect(expected.length).toBeGreaterThan(500);

      const out = join(work, 'parts.ndjson');
      const dir = join(work, 'ck');
      // Killed once checkpoint 2 is committed (its part published), then checkpoint 2 loses its last byte.
      const killed = await runCli(args('native', out, dir), { script: job.script, failpoint: 'checkpoint.committed:2:crash' });
      expect(killed.signal).toBe('SIGKILL');
      const newest = join(dir, 'checkpoints', 'ck-000000000002');
      writeFileSync(newest, readFileSync(newest).subarray(0, -1));

      const rerun = await runCli(args('microbatch', out, dir), { script: job.script });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stderr).toMatch(/ck-000000000002 is corrupt \(truncated.*resuming from checkpoints\/ck-000000000001/);
      const got = readTextOutput(out, job.normalize);
      expect(got.lines).toEqual(expected);
      expect([...got.inProgress, ...got.strays]).toEqual([]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);
});
