import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readPartLines } from '../support/read-parts.js';

/**
 * SIGTERM to the CLI (issue #13, design §h): the first signal stops the run gracefully at a final
 * checkpoint and the process exits 0; the same command resumes it and the output equals an
 * uninterrupted run's, also at --parallelism=3. With --drain the signal drains instead, and the drained job
 * cannot be resumed.
 */

const repo = fileURLToPath(new URL('../..', import.meta.url));
const ARGS = ['--import', 'tsx', 'bin/watershed.ts'];

const cli = (args: readonly string[]) => spawnSync(process.execPath, [...ARGS, ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000 });

/** Pairs without `ts_output` (processing time, which differs between any two runs), sorted: a multiset. */
const pairs = (lines: readonly string[]): string[] =>
  lines
    .map((l) => {
      const { ts_output: _drop, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(rest);
    })
    .sort();

/**
 * Starts the CLI, waits until its first checkpoint file exists (so the run is under way, long before
 * its end), sends SIGTERM, and resolves with its exit code, signal and stderr.
 */
async function runAndTerminate(args: readonly string[], ck: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [...ARGS, ...args], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let ended = false;
  void exited.then(() => (ended = true));
  const checkpoints = join(ck, 'checkpoints');
  const deadline = Date.now() + 90_000;
  while (!ended && !(existsSync(checkpoints) && readdirSync(checkpoints).some((n) => n.startsWith('ck-')))) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`no checkpoint within 90 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(ended, `the run ended before the signal could be sent: ${stderr}`).toBe(false);
  child.kill('SIGTERM');
  return { ...(await exited), stderr };
}

// 300,000 events in 1 s windows over many source IPs: a few thousand pairs, several seconds of work.
const JOB = ['--count=300000', '--sourceIps=50000', '--keySkew=0', '--window=1s', '--quiet'];

describe('the CLI stops on SIGTERM', () => {
  it('with --checkpointDir: exit 0 at a final checkpoint; the same command resumes, and the output equals an uninterrupted run; a third run says the job already finished', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ws-cli-stop-'));
    const plain = join(d, 'plain.ndjson');
    const clean = cli([...JOB, `--output=ndjson:${plain}`]);
    expect(clean.status, clean.stderr).toBe(0);
    const expected = pairs(readFileSync(plain, 'utf8').replace(/\n$/, '').split('\n'));
    expect(expected.length).toBeGreaterThan(1000);

    const out = join(d, 'out.ndjson');
    const ck = join(d, 'ck');
    const args = [...JOB, `--output=ndjson:${out}`, `--checkpointDir=${ck}`, '--checkpointInterval=100ms'];
    const stopped = await runAndTerminate(args, ck);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toContain('[watershed] stopping: taking a final checkpoint (signal again to exit at once)');
    expect(stopped.stderr).toMatch(/\[watershed\] stopped at checkpoints\/ck-\d{12}: run the same command again to resume/);
    const before = pairs(readPartLines(out));
    expect(before.length).toBeLessThan(expected.length);

    const resumed = cli(args);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toContain('already finished');
    expect(pairs(readPartLines(out))).toEqual(expected);

    const again = cli(args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain('already finished');
    expect(pairs(readPartLines(out))).toEqual(expected);
  }, 240_000);

  it('at --parallelism=3 (scale-out step 5): stopped at a final checkpoint, the same command resumes, and the output equals an uninterrupted run at 1', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ws-cli-stop-par-'));
    const plain = join(d, 'plain.ndjson');
    const clean = cli([...JOB, `--output=ndjson:${plain}`]);
    expect(clean.status, clean.stderr).toBe(0);
    const expected = pairs(readFileSync(plain, 'utf8').replace(/\n$/, '').split('\n'));

    const out = join(d, 'out.ndjson');
    const ck = join(d, 'ck');
    const args = [...JOB, '--parallelism=3', `--output=ndjson:${out}`, `--checkpointDir=${ck}`, '--checkpointInterval=100ms'];
    const stopped = await runAndTerminate(args, ck);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toMatch(/\[watershed\] stopped at checkpoints\/ck-\d{12}: run the same command again to resume/);
    expect(pairs(readPartLines(out)).length).toBeLessThan(expected.length);

    const resumed = cli(args);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toContain('already finished');
    expect(pairs(readPartLines(out))).toEqual(expected);
  }, 240_000);

  it('with --drain: exit 0 after every window fired; resuming the drained job is refused with DrainedCheckpointError', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ws-cli-drain-'));
    const out = join(d, 'out.ndjson');
    const ck = join(d, 'ck');
    const args = [...JOB, `--output=ndjson:${out}`, `--checkpointDir=${ck}`, '--checkpointInterval=100ms', '--drain'];
    const drained = await runAndTerminate(args, ck);
    expect(drained.code, drained.stderr).toBe(0);
    expect(drained.stderr).toContain('[watershed] draining: the input stops, every window fires its last pane and every timer fires, then a final checkpoint');
    expect(drained.stderr).toMatch(/\[watershed\] drained; final checkpoint checkpoints\/ck-\d{12}/);
    const again = cli(args);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/DrainedCheckpointError: .*this job was drained .* cannot be resumed; start it with a new --checkpointDir/);
  }, 240_000);
});
