import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliChild as cli, pairMultiset as pairs } from '../support/cli-child.js';
import { hiddenFiles, listParts, readPartLines } from '../support/read-parts.js';

/**
 * A full disk under a checkpointed Netflow run (NDJSON file → TextFile parts), on a real small file
 * system: a tmpfs mounted for the test (needs root and a kernel that lets this process mount; skipped
 * otherwise). The checkpoint directory or the output folder runs out of space mid-run: the run fails
 * with a typed error naming what it could not write, leaves no half-written checkpoint or visible
 * partial part, and the same command, once there is space again, resumes and publishes exactly the
 * pairs of an uninterrupted run.
 */

const root = mkdtempSync(join(tmpdir(), 'ws-cli-disk-full-'));
const mounts: string[] = [];

/** Mounts a tmpfs of `size` at a new folder; undefined when mounting is not permitted here. */
function smallDisk(name: string, size: string): string | undefined {
  const at = join(root, name);
  mkdirSync(at);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  mounts.push(at);
  return at;
}

const grow = (at: string) => {
  const r = spawnSync('mount', ['-o', 'remount,size=64m', at], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
};

const probe = process.getuid?.() === 0 ? smallDisk('probe', '64k') : undefined;
const skip = probe === undefined ? 'cannot mount a tmpfs here (not root, or not permitted)' : null;

describe.skipIf(skip !== null)(`the Netflow CLI with --checkpointDir on a full disk${skip ? ` [SKIPPED: ${skip}]` : ''}`, () => {
  const job = ['--window=1s', '--maxOutOfOrderness=1s', '--bundleSize=100', '--quiet'];
  let input: string;
  let expected: string[];

  beforeAll(() => {
    input = join(root, 'in.ndjson');
    const gen = cli(['generate', '--scenario=2', '--count=4000', `--output=ndjson:${input}`]);
    expect(gen.status, gen.stderr).toBe(0);
    const plain = join(root, 'plain.ndjson');
    const clean = cli([`--input=ndjson:${input}`, `--output=ndjson:${plain}`, ...job]);
    expect(clean.status, clean.stderr).toBe(0);
    expected = pairs(readFileSync(plain, 'utf8').replace(/\n$/, '').split('\n'));
    expect(expected.length).toBeGreaterThan(100_000);
  }, 60_000);

  afterAll(() => {
    for (const at of mounts) spawnSync('umount', [at]);
  });

  it('the checkpoint directory fills up: CheckpointWriteError (ENOSPC) naming the file, no temporary or partial checkpoint left; with space again the same command resumes, every pair once', () => {
    const disk = smallDisk('ck-disk', '96k')!; // below one mid-run checkpoint (~235 kB): full whatever the timing
    const ck = join(disk, 'ck');
    const out = join(root, 'out-1');
    const args = [`--input=ndjson:${input}`, `--output=ndjson:${out}`, `--checkpointDir=${ck}`, '--checkpointInterval=20ms', ...job];
    const full = cli(args);
    expect(full.status, full.stderr).toBe(1);
    // The space runs out writing a checkpoint or a commit marker, whichever comes first.
    expect(full.stderr).toMatch(/CheckpointWriteError: cannot write checkpoint (checkpoints|commits)\/ck-\d{12} to .*: ENOSPC/);
    // No hidden temporary file left (a folder the run never got to make holds none).
    for (const folder of ['checkpoints', 'commits']) {
      if (existsSync(join(ck, folder))) expect(readdirSync(join(ck, folder)).filter((n) => n.startsWith('.'))).toEqual([]);
    }
    grow(disk);
    const rerun = cli(args);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(pairs(readPartLines(out))).toEqual(expected);
    expect(hiddenFiles(out).filter((n) => n.endsWith('.inprogress'))).toEqual([]);
  }, 60_000);

  it('the output folder fills up: the run fails naming the sink step (ENOSPC), no partial part is visible; with space again the same command resumes, every pair once', () => {
    const disk = smallDisk('out-disk', '4m')!;
    const out = join(disk, 'out');
    const args = [`--input=ndjson:${input}`, `--output=ndjson:${out}`, `--checkpointDir=${join(root, 'ck-2')}`, '--checkpointInterval=20ms', ...job];
    const full = cli(args);
    expect(full.status, full.stderr).toBe(1);
    expect(full.stderr).toMatch(/SinkWriteError: step 'WritePairs' cannot write \S+: .*ENOSPC/);
    const published = listParts(out);
    // Only finished parts are visible, each complete: their pairs are all pairs of the uninterrupted run.
    const visible = pairs(readPartLines(out));
    expect(visible.length).toBeLessThan(expected.length);
    const left = new Map<string, number>();
    for (const p of expected) left.set(p, (left.get(p) ?? 0) + 1);
    for (const p of visible) {
      expect(left.get(p) ?? 0, `a visible pair that is not one of the run's, or twice: ${p}`).toBeGreaterThan(0);
      left.set(p, left.get(p)! - 1);
    }
    expect(readdirSync(out).filter((n) => !n.startsWith('.') && !published.includes(n))).toEqual([]);
    grow(disk);
    const rerun = cli(args);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(pairs(readPartLines(out))).toEqual(expected);
    expect(hiddenFiles(out).filter((n) => n.endsWith('.inprogress'))).toEqual([]);
  }, 60_000);
});
