import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCheckpointFile } from '../../runners/core/checkpoint/checkpoint-file.js';
import { newUuidV7 } from '../../runners/core/checkpoint/checkpoint-id.js';
import { CheckpointRepository } from '../../runners/core/checkpoint/checkpoint-repository.js';
import { FileCheckpointStore } from '../../runners/core/checkpoint/file-checkpoint-store.js';
import { CheckpointVersionError, CheckpointWriteError, CorruptCheckpointError, NoValidCheckpointError, PipelineOptionsError } from '../../sdk/errors.js';
import { concat, draft, JOB_ID, segments } from './support.js';

const root = mkdtempSync(join(tmpdir(), 'watershed-ckpt-'));
let dirs = 0;

/** A fresh checkpoint directory, its store and repository. */
async function fresh(runId = 'run-1') {
  const dir = join(root, `job-${dirs++}`);
  const store = await FileCheckpointStore.open(dir, { runId });
  return { dir, store, repo: new CheckpointRepository(store) };
}

async function writeSeqs(repo: CheckpointRepository, ...seqs: number[]) {
  for (const seq of seqs) await repo.writeCheckpoint(draft(seq), segments(seq));
}

const ck = (dir: string, seq: number) => join(dir, 'checkpoints', `ck-${String(seq).padStart(12, '0')}`);

function flipByte(path: string, at: (size: number) => number) {
  const b = readFileSync(path);
  b[at(b.length)]! ^= 0xff;
  writeFileSync(path, b);
}

describe('FileCheckpointStore', () => {
  it('puts, gets, lists in name order within a folder, and deletes', async () => {
    const { store } = await fresh();
    await store.put('a/x-2', [Buffer.from('two')]);
    await store.put('a/x-1', [Buffer.from('o'), Buffer.from('ne'), new Uint8Array(0)]);
    await store.put('a/y-1', [Buffer.from('y')]);
    await store.put('top', [Buffer.from('t')]);
    expect(await store.list('a/x-')).toEqual(['a/x-1', 'a/x-2']);
    expect(await store.list('a/')).toEqual(['a/x-1', 'a/x-2', 'a/y-1']);
    expect(await store.list('')).toEqual(['top']);
    expect(await store.list('missing/')).toEqual([]);
    expect((await store.get('a/x-1'))?.toString()).toBe('one');
    expect(await store.get('a/none')).toBeUndefined();
    await store.put('a/x-1', [Buffer.from('replaced')]);
    expect((await store.get('a/x-1'))?.toString()).toBe('replaced');
    await store.delete('a/x-1');
    await store.delete('a/x-1'); // not there: fine
    expect(await store.list('a/x-')).toEqual(['a/x-2']);
  });

  it('refuses names that could escape or hide: absolute, .., hidden, empty parts', async () => {
    const { store } = await fresh();
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', '.tmp-x', 'a//b', '', 'a/.hidden', 'a b']) {
      await expect(store.put(bad, [Buffer.from('x')])).rejects.toThrow(RangeError);
    }
    await expect(FileCheckpointStore.open(join(root, 'bad-run'), { runId: '../x' })).rejects.toThrow(RangeError);
  });

  it('writes through a temporary file: none is left after put, and open removes those of crashed runs', async () => {
    const { dir, store } = await fresh();
    await store.put('checkpoints/ck-000000000001', [Buffer.from('complete')]);
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual(['ck-000000000001']);
    writeFileSync(join(dir, 'checkpoints', '.tmp-ck-000000000002-crashed-run'), 'half');
    writeFileSync(join(dir, '.tmp-job.json-crashed-run'), '{');
    expect(await store.list('checkpoints/')).toEqual(['checkpoints/ck-000000000001']);
    const reopened = await FileCheckpointStore.open(dir, { runId: 'run-2' });
    expect([...reopened.removedTemporaries].sort()).toEqual(['.tmp-job.json-crashed-run', join('checkpoints', '.tmp-ck-000000000002-crashed-run')]);
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual(['ck-000000000001']);
  });
});

describe('FileCheckpointStore never touches files that are not its own', () => {
  it('refuses a directory of other files (--checkpointDir=. or a data folder) and a file, touching nothing', async () => {
    const dir = join(root, `foreign-${dirs++}`);
    mkdirSync(join(dir, 'notes'), { recursive: true });
    writeFileSync(join(dir, 'notes', '.tmp-draft.txt'), 'precious');
    writeFileSync(join(dir, 'flows.ndjson'), '{}');
    await expect(FileCheckpointStore.open(dir, { runId: 'run-1' })).rejects.toThrow(PipelineOptionsError);
    await expect(FileCheckpointStore.open(dir, { runId: 'run-1' })).rejects.toThrow(/holds other files \(flows\.ndjson, notes\) and no job\.json/);
    expect(readFileSync(join(dir, 'notes', '.tmp-draft.txt'), 'utf8')).toBe('precious');
    expect(readdirSync(dir).sort()).toEqual(['flows.ndjson', 'notes']);
    await expect(FileCheckpointStore.open(join(dir, 'flows.ndjson'), { runId: 'run-1' })).rejects.toThrow(/is a file, not a directory/);
  });

  it('in a checkpoint directory, sweeps temporaries in its own folders only (an output folder of parts in it is left alone)', async () => {
    const { dir, repo } = await fresh();
    await repo.openJob({ format: 1, jobId: JOB_ID, createdAt: 0 });
    await writeSeqs(repo, 1);
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', '.tmp-someone-elses'), 'kept');
    writeFileSync(join(dir, 'checkpoints', '.tmp-ck-000000000002-crashed-run'), 'half');
    const reopened = await FileCheckpointStore.open(dir, { runId: 'run-2' });
    expect(reopened.removedTemporaries).toEqual([join('checkpoints', '.tmp-ck-000000000002-crashed-run')]);
    expect(readFileSync(join(dir, 'out', '.tmp-someone-elses'), 'utf8')).toBe('kept');
  });
});

describe('CheckpointRepository', () => {
  it('writes checkpoints and loads the newest, with its segments', async () => {
    const { repo, dir } = await fresh();
    expect(await repo.loadLatest()).toEqual({ checkpoint: undefined, warnings: [], highestSeq: undefined });
    await writeSeqs(repo, 1, 2);
    const { checkpoint, warnings, highestSeq } = await repo.loadLatest();
    expect(warnings).toEqual([]);
    expect(highestSeq).toBe(2);
    expect(checkpoint?.name).toBe('checkpoints/ck-000000000002');
    expect(checkpoint?.manifest.steps['Read']?.source?.position).toEqual({ i: 20 });
    expect(checkpoint?.file.entries(0)[0]?.[2]).toMatchObject({ k: 'user-a', acc: 2 });
    expect(checkpoint?.bytes).toBe(readFileSync(ck(dir, 2)).length);
  });

  it('a crash between writing the temporary file and the rename leaves the previous checkpoint as the latest', async () => {
    const { repo, dir } = await fresh();
    await writeSeqs(repo, 1, 2);
    // The crashed run wrote checkpoint 3 completely (and fsynced it) but died before the rename.
    const three = concat(encodeCheckpointFile(draft(3), segments(3)).parts);
    writeFileSync(join(dir, 'checkpoints', '.tmp-ck-000000000003-crashed-run'), three);
    // ... and another crashed earlier, half-way through writing.
    writeFileSync(join(dir, 'checkpoints', '.tmp-ck-000000000004-crashed-too'), three.subarray(0, 100));
    const loaded = await repo.loadLatest();
    expect(loaded.checkpoint?.seq).toBe(2);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.highestSeq).toBe(2);
    // The next run's store removes the leftovers; checkpoint 3 is written again, by the resumed run.
    const next = new CheckpointRepository(await FileCheckpointStore.open(dir, { runId: 'run-2' }));
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual(['ck-000000000001', 'ck-000000000002']);
    await writeSeqs(next, 3);
    expect((await next.loadLatest()).checkpoint?.seq).toBe(3);
  });

  it('a failed rename fails the write with CheckpointWriteError, leaves no temporary file, and keeps the previous checkpoint', async () => {
    const { repo, dir } = await fresh();
    await writeSeqs(repo, 1);
    mkdirSync(join(ck(dir, 2), 'in-the-way'), { recursive: true }); // a non-empty directory where ck 2 must go
    const error = await repo.writeCheckpoint(draft(2), segments(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointWriteError);
    expect(error).toMatchObject({ checkpoint: 'checkpoints/ck-000000000002', location: dir });
    expect(readdirSync(join(dir, 'checkpoints')).sort()).toEqual(['ck-000000000001', 'ck-000000000002']);
    expect((await repo.loadLatest()).checkpoint?.seq).toBe(1);
  });

  it('never overwrites: a checkpoint numbered at or below the newest is refused', async () => {
    const { repo, dir } = await fresh();
    await writeSeqs(repo, 1, 2);
    const before = readFileSync(ck(dir, 2));
    await expect(repo.writeCheckpoint(draft(2), segments(2))).rejects.toThrow(/ck-000000000002 exists already/);
    await expect(repo.writeCheckpoint(draft(1), segments(1))).rejects.toBeInstanceOf(CheckpointWriteError);
    expect(readFileSync(ck(dir, 2))).toEqual(before);
  });

  it('falls back past a truncated newest checkpoint, with a warning naming both', async () => {
    const { repo, dir } = await fresh();
    await writeSeqs(repo, 1, 2, 3);
    truncateSync(ck(dir, 3), readFileSync(ck(dir, 3)).length - 7);
    const { checkpoint, warnings, highestSeq } = await repo.loadLatest();
    expect(checkpoint?.seq).toBe(2);
    expect(highestSeq).toBe(3); // the next checkpoint is numbered 4: the damaged file stays for inspection
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'CORRUPT_CHECKPOINT_SKIPPED', checkpoint: 'checkpoints/ck-000000000003' });
    expect(warnings[0]!.cause.reason).toBe('truncated');
    expect(warnings[0]!.message).toMatch(/^checkpoints\/ck-000000000003 is corrupt \(truncated: .*\); resuming from checkpoints\/ck-000000000002\.$/);
  });

  it('falls back past a flipped byte, and warns that committed output may appear twice when it was committed', async () => {
    const { repo, dir } = await fresh();
    await writeSeqs(repo, 1, 2, 3);
    await repo.markCommitted({ seq: 3, checkpointId: newUuidV7(5), committedAt: 5 });
    flipByte(ck(dir, 3), (size) => size >> 1);
    const { checkpoint, warnings } = await repo.loadLatest();
    expect(checkpoint?.seq).toBe(2);
    expect(warnings[0]!.cause.reason).toBe('crc32c-mismatch');
    expect(warnings[0]!.message).toMatch(/already committed.*twice/);
    expect(warnings[0]).toMatchObject({ checkpoint: 'checkpoints/ck-000000000003', seq: 3, committed: true });
  });

  it('falls back past several corrupt checkpoints, one warning each, newest first', async () => {
    const { repo, dir } = await fresh();
    await writeSeqs(repo, 1, 2, 3, 4);
    truncateSync(ck(dir, 4), 10);
    flipByte(ck(dir, 3), () => 0);
    const { checkpoint, warnings } = await repo.loadLatest();
    expect(checkpoint?.seq).toBe(2);
    expect(warnings.map((w) => [w.checkpoint, w.cause.reason])).toEqual([
      ['checkpoints/ck-000000000004', 'truncated'],
      ['checkpoints/ck-000000000003', 'bad-magic'],
    ]);
  });

  it('never starts over silently: when every checkpoint is corrupt, the error names each one and its defect', async () => {
    const { repo, dir } = await fresh();
    await writeSeqs(repo, 1, 2);
    truncateSync(ck(dir, 2), 0);
    flipByte(ck(dir, 1), (size) => size - 25); // the last segment byte
    const error = await repo.loadLatest().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoValidCheckpointError);
    expect((error as NoValidCheckpointError).defects.map((d) => d.reason)).toEqual(['truncated', 'crc32c-mismatch']);
    expect((error as Error).message).toMatch(/ck-000000000002 \(truncated.*ck-000000000001 \(crc32c-mismatch/);
  });

  it('a newer format version is a CheckpointVersionError, not a fallback to an older checkpoint', async () => {
    const { repo, dir } = await fresh();
    await writeSeqs(repo, 1, 2);
    const b = readFileSync(ck(dir, 2));
    b.write('02', 6, 'latin1');
    const { crc32c } = await import('@node-rs/crc32');
    b.writeUInt32LE(crc32c(b.subarray(0, b.length - 12)), b.length - 12);
    writeFileSync(ck(dir, 2), b);
    await expect(repo.loadLatest()).rejects.toBeInstanceOf(CheckpointVersionError);
  });

  it('keeps the newest N checkpoints and their commit markers, deleting older ones', async () => {
    const { repo, dir } = await fresh();
    await writeSeqs(repo, 1, 2, 3, 4, 5);
    for (const seq of [1, 2, 3, 4, 5]) await repo.markCommitted({ seq, checkpointId: newUuidV7(seq), committedAt: seq });
    expect(await repo.prune(3)).toEqual(['checkpoints/ck-000000000001', 'checkpoints/ck-000000000002', 'commits/ck-000000000001', 'commits/ck-000000000002']);
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual(['ck-000000000003', 'ck-000000000004', 'ck-000000000005']);
    expect(readdirSync(join(dir, 'commits'))).toEqual(['ck-000000000003', 'ck-000000000004', 'ck-000000000005']);
    expect(await repo.prune(3)).toEqual([]);
    await writeSeqs(repo, 6);
    expect(await repo.prune(2)).toEqual(['checkpoints/ck-000000000003', 'checkpoints/ck-000000000004', 'commits/ck-000000000003', 'commits/ck-000000000004']);
    expect((await repo.loadLatest()).checkpoint?.seq).toBe(6);
    for (const bad of [1, 0, 2.5]) await expect(repo.prune(bad)).rejects.toThrow(RangeError);
  });

  it('records commits; a missing or unreadable marker counts as not committed', async () => {
    const { repo, dir } = await fresh();
    expect(await repo.isCommitted(1)).toBe(false);
    await repo.markCommitted({ seq: 1, checkpointId: newUuidV7(1), committedAt: 1 });
    expect(await repo.isCommitted(1)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'commits', 'ck-000000000001'), 'utf8'))).toMatchObject({ seq: 1, committedAt: 1 });
    writeFileSync(join(dir, 'commits', 'ck-000000000002'), '{"seq":');
    expect(await repo.isCommitted(2)).toBe(false);
  });

  it('keeps the job identity of the first run; a damaged job file is a typed error', async () => {
    const { repo, dir } = await fresh();
    const first = { format: 1 as const, jobId: JOB_ID, jobName: 'netflow', createdAt: 1 };
    expect(await repo.openJob(first)).toEqual(first);
    expect(await repo.openJob({ format: 1, jobId: newUuidV7(2), createdAt: 2 })).toEqual(first);
    writeFileSync(join(dir, 'job.json'), '{"format":1}');
    await expect(repo.openJob(first)).rejects.toBeInstanceOf(CorruptCheckpointError);
    await expect(repo.openJob(first)).rejects.toThrow(/job\.json is corrupt .*delete it, and the next run writes it again/);
  });

  it('a lost job file is written again with the job id of the newest readable checkpoint, with a warning naming both (a new id would rename the transactional ids of exactly-once sinks)', async () => {
    const { repo, dir } = await fresh();
    await repo.openJob({ format: 1, jobId: JOB_ID, createdAt: 1 });
    await writeSeqs(repo, 1, 2, 3);
    truncateSync(ck(dir, 3), 50); // the newest is unreadable: the id comes from the one before
    rmSync(join(dir, 'job.json'));
    const warnings: string[] = [];
    const other = newUuidV7(2);
    const job = await repo.openJob({ format: 1, jobId: other, createdAt: 2 }, (m) => warnings.push(m));
    expect(job.jobId).toBe(JOB_ID);
    expect(JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8'))).toMatchObject({ format: 1, jobId: JOB_ID });
    expect(warnings).toEqual([expect.stringMatching(/job\.json was missing: written again with job id .* taken from checkpoints\/ck-000000000002/)]);
    // Without any checkpoint a missing job file is a first run: the fresh identity, no warning.
    const empty = await fresh();
    expect((await empty.repo.openJob({ format: 1, jobId: other, createdAt: 2 }, (m) => warnings.push(m))).jobId).toBe(other);
    expect(warnings).toHaveLength(1);
  });
});
