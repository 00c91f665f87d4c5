import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointRecoveryError, SinkTargetError, UnsupportedGuaranteeError } from '../../../sdk/errors.js';
import { Pipeline } from '../../../sdk/pipeline.js';
import { failpoints, SimulatedCrash } from '../../../sdk/testing/failpoints.js';
import { Create } from '../../../transforms/create.js';
import type { PartHandle } from '../../../transforms/io/part-files.js';
import { TextFile } from '../../../transforms/io/text-file.js';
import { checkpointingFor, FakeCoordinator, WIRINGS, type FakeCheckpoint } from '../../support/fake-coordinator.js';
import { hiddenFiles, listParts, readPartLines } from '../../support/read-parts.js';

/** Lines of 20 to 29 bytes: with a 64-byte buffer, most batches fill several, so the writer thread runs and is retargeted across parts. */
const BATCHES: string[][] = Array.from({ length: 6 }, (_, b) => Array.from({ length: 3 + b * 4 }, (_, i) => `batch ${b} line ${i} ${'x'.repeat(i % 10)}`));
const ALL = BATCHES.flat();

const fresh = (): string => mkdtempSync(join(tmpdir(), 'text-2pc-'));

function sinkPipeline(path: string): Pipeline {
  const p = Pipeline.create({ runner: 'native' });
  p.apply('In', Create<string>([])).apply('Out', TextFile.write<string>(path, (s) => s, 64));
  return p;
}

const handleOf = (ck: FakeCheckpoint): PartHandle => ck.handles['Out'] as PartHandle;

/** Where the first run crashes: after feeding batch k (before its barrier), or at the k-th hit of a sink failpoint, or after commit k (its marker missing). */
type Crash = { readonly k: number; readonly at: 'barrier' | 'sink.preCommit' | 'sink.commit' | 'committed' };

/**
 * Runs `batches` with a checkpoint after each, crashing as `crash` says; then a second run recovers
 * from the last durable checkpoint and replays the batches after it. Returns the folder.
 */
async function crashAndResume(w: (typeof WIRINGS)[number], batches: readonly string[][], crash: Crash): Promise<string> {
  const out = join(fresh(), 'flows.ndjson');
  const first = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-1'));
  await first.start();
  let restored: { checkpoint: FakeCheckpoint; committed: boolean } | undefined;
  let visible = 0;
  if (crash.at === 'sink.preCommit' || crash.at === 'sink.commit') failpoints.arm(crash.at, { at: crash.k });
  try {
    for (let i = 0; i < batches.length; i++) {
      await first.feed(batches[i]!);
      if (crash.at === 'barrier' && i + 1 === crash.k) throw new SimulatedCrash('barrier', i + 1);
      const ck = await first.checkpoint(i + 1);
      restored = { checkpoint: ck, committed: false }; // the checkpoint file is durable
      await first.commit(ck);
      visible = i + 1;
      if (crash.at === 'committed' && i + 1 === crash.k) throw new SimulatedCrash('committed', i + 1);
      restored = { checkpoint: ck, committed: true }; // its commit marker is written
    }
    await first.close('done');
    return out;
  } catch (e) {
    if (!(e instanceof SimulatedCrash)) throw e;
  }
  failpoints.reset();
  // Only what a checkpoint made durable and committed may be visible now.
  expect(readPartLines(out)).toEqual(batches.slice(0, visible).flat());
  const second = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-2'));
  await second.start(restored);
  const from = restored?.checkpoint.seq ?? 0;
  for (let i = from; i < batches.length; i++) {
    await second.feed(batches[i]!);
    await second.commit(await second.checkpoint(i + 1));
  }
  await second.close('done');
  return out;
}

afterEach(() => failpoints.reset());

describe.each(WIRINGS)('TextFile.write with two-phase commit ($label)', (w) => {
  it('without checkpointing still writes one file at the path (the failure-free reference)', async () => {
    const dir = fresh();
    const out = join(dir, 'flows.ndjson');
    const c = new FakeCoordinator(sinkPipeline(out), w, undefined);
    await c.start();
    for (const b of BATCHES) await c.feed(b);
    await c.close('done');
    expect(statSync(out).isFile()).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe(`${ALL.join('\n')}\n`);
    expect(readdirSync(dir)).toEqual(['flows.ndjson']);
  });

  it('with checkpointing writes a folder of parts, one per checkpoint with output, published only at commit', async () => {
    const out = join(fresh(), 'flows.ndjson');
    const c = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-1'));
    await c.start();
    for (let i = 0; i < BATCHES.length; i++) {
      await c.feed(BATCHES[i]!);
      const ck = await c.checkpoint(i + 1);
      // sealed but not visible: the part is complete in its hidden file, and no final name exists yet
      const h = handleOf(ck);
      expect(h).toEqual({ inProgress: expect.stringMatching(/^\.part-0-run-1-\d{6}\.ndjson\.inprogress$/), part: `part-0-${String(i + 1).padStart(12, '0')}.ndjson`, bytes: Buffer.byteLength(`${BATCHES[i]!.join('\n')}\n`) });
      expect(listParts(out)).toHaveLength(i);
      expect(readFileSync(join(out, h.inProgress), 'utf8')).toBe(`${BATCHES[i]!.join('\n')}\n`);
      await c.commit(ck);
      expect(listParts(out)).toHaveLength(i + 1);
    }
    // a checkpoint with nothing new makes no part
    expect((await c.checkpoint(BATCHES.length + 1)).handles).toEqual({});
    await c.close('done');
    expect(readPartLines(out)).toEqual(ALL);
    expect(hiddenFiles(out)).toEqual([]);
  });

  it('a crash between preCommit and commit leaves nothing visible; the resumed run publishes it, removes abandoned parts, and the output equals the failure-free one', async () => {
    const out = join(fresh(), 'flows.ndjson');
    const first = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-1'));
    await first.start();
    await first.feed(BATCHES[0]!);
    await first.commit(await first.checkpoint(1));
    await first.feed(BATCHES[1]!);
    const ck2 = await first.checkpoint(2); // durable; the crash comes before its commit
    await first.feed(BATCHES[2]!);
    await first.checkpoint(3); // sealed, but checkpoint 3 never became durable
    await first.feed(BATCHES[3]!); // an open in-progress part
    // crash: `first` is dropped, without commit or teardown
    expect(readPartLines(out)).toEqual(BATCHES[0]);
    expect(hiddenFiles(out)).toHaveLength(3);

    const second = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-2'));
    await second.start({ checkpoint: ck2, committed: false });
    expect(readPartLines(out)).toEqual([...BATCHES[0]!, ...BATCHES[1]!]);
    expect(hiddenFiles(out)).toEqual([]); // checkpoint 3's part and the open part were removed: the replay writes them again
    expect(second.warnings).toEqual([]);
    // the replay from checkpoint 2; checkpoint 3 never existed, so its number is used again
    for (let i = 2; i < BATCHES.length; i++) {
      await second.feed(BATCHES[i]!);
      await second.commit(await second.checkpoint(i + 1));
    }
    await second.close('done');
    expect(readPartLines(out)).toEqual(ALL);
    expect(hiddenFiles(out)).toEqual([]);
  });

  it('commit is idempotent: a part already renamed counts as committed, also when recover retries it', async () => {
    const out = join(fresh(), 'flows.ndjson');
    const c = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-1'));
    await c.start();
    await c.feed(BATCHES[0]!);
    const ck = await c.checkpoint(1);
    await c.commit(ck);
    await c.commit(ck);
    const again = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-2'));
    await again.start({ checkpoint: ck, committed: false }); // a crash after the rename, before the commit marker
    const third = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-3'));
    await third.start({ checkpoint: ck, committed: true });
    expect(readPartLines(out)).toEqual(BATCHES[0]);
    expect(hiddenFiles(out)).toEqual([]);
  });

  it('a failpoint at sink.commit (before the rename) leaves the part hidden until the next run recovers it', async () => {
    const out = join(fresh(), 'flows.ndjson');
    const c = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-1'));
    await c.start();
    await c.feed(BATCHES[0]!);
    const ck = await c.checkpoint(1);
    failpoints.arm('sink.commit');
    await expect(c.commit(ck)).rejects.toThrow(SimulatedCrash);
    expect(listParts(out)).toEqual([]);
    const next = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-2'));
    await next.start({ checkpoint: ck, committed: false });
    expect(readPartLines(out)).toEqual(BATCHES[0]);
  });

  it('a checkpoint whose part is gone fails with CheckpointRecoveryError; a changed final part is not overwritten', async () => {
    const out = join(fresh(), 'flows.ndjson');
    const c = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-1'));
    await c.start();
    await c.feed(BATCHES[0]!);
    const ck = await c.checkpoint(1);
    const gone: FakeCheckpoint = { ...ck, handles: { Out: { ...handleOf(ck), inProgress: '.part-0-other-000001.ndjson.inprogress' } } };
    await expect(c.commit(gone)).rejects.toThrow(CheckpointRecoveryError);
    await expect(c.commit(gone)).rejects.toThrow(/neither .*part-0-000000000001\.ndjson nor its in-progress file/);
    writeFileSync(join(out, handleOf(ck).part), 'someone else\n');
    await expect(c.commit(ck)).rejects.toThrow(/refusing to overwrite/);
    expect(readFileSync(join(out, handleOf(ck).part), 'utf8')).toBe('someone else\n');
  });

  it('parts newer than the restored checkpoint (a fallback past a corrupt one) are moved aside, not deleted, with a warning', async () => {
    const out = join(fresh(), 'flows.ndjson');
    const first = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-1'));
    await first.start();
    const cks: FakeCheckpoint[] = [];
    for (let i = 0; i < 3; i++) {
      await first.feed(BATCHES[i]!);
      cks.push(await first.checkpoint(i + 1));
      await first.commit(cks[i]!);
    }
    await first.close('done');
    // checkpoints 2 and 3 turn out corrupt: the run resumes from checkpoint 1
    const second = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-2'));
    await second.start({ checkpoint: cks[0]!, committed: true });
    expect(readPartLines(out)).toEqual(BATCHES[0]);
    expect(hiddenFiles(out)).toEqual(['.part-0-000000000002.ndjson.superseded-run-2', '.part-0-000000000003.ndjson.superseded-run-2']);
    expect(readFileSync(join(out, '.part-0-000000000002.ndjson.superseded-run-2'), 'utf8')).toBe(`${BATCHES[1]!.join('\n')}\n`);
    expect(second.warnings).toHaveLength(1);
    expect(second.warnings[0]).toMatch(/2 part\(s\) newer than the restored checkpoint 1 were moved aside.*part-0-000000000002\.ndjson, part-0-000000000003\.ndjson/);
    for (let i = 1; i < BATCHES.length; i++) {
      await second.feed(BATCHES[i]!);
      await second.commit(await second.checkpoint(i + 3)); // numbered above the highest checkpoint seen (3)
    }
    await second.close('done');
    expect(readPartLines(out)).toEqual(ALL);
  });

  it('a fresh job writing into a folder with parts moves them aside, so its output is not mixed with theirs', async () => {
    const out = join(fresh(), 'flows.ndjson');
    mkdirSync(out);
    writeFileSync(join(out, 'part-0-000000000001.ndjson'), 'old\n');
    writeFileSync(join(out, 'notes.txt'), 'kept\n');
    const c = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-9'));
    await c.start();
    expect(c.warnings[0]).toMatch(/restored checkpoint \(none: a fresh start\)/);
    await c.feed(BATCHES[0]!);
    await c.commit(await c.checkpoint(1));
    expect(readPartLines(out)).toEqual(BATCHES[0]);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('kept\n');
    expect(hiddenFiles(out)).toEqual(['.part-0-000000000001.ndjson.superseded-run-9']);
  });

  it('a failed or cancelled run removes its open part and keeps sealed ones for the next run', async () => {
    const out = join(fresh(), 'flows.ndjson');
    const c = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-1'));
    await c.start();
    await c.feed(BATCHES[0]!);
    const ck = await c.checkpoint(1);
    await c.feed(BATCHES[1]!);
    await c.close('failed');
    expect(hiddenFiles(out)).toEqual([handleOf(ck).inProgress]);
    const next = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-2'));
    await next.start({ checkpoint: ck, committed: false });
    expect(readPartLines(out)).toEqual(BATCHES[0]);
  });

  it('abort drops the open part only', async () => {
    const out = join(fresh(), 'flows.ndjson');
    const c = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-1'));
    await c.start();
    await c.feed(BATCHES[0]!);
    const ck = await c.checkpoint(1);
    await c.feed(BATCHES[1]!);
    await c.sinks()[0]!.abort();
    expect(hiddenFiles(out)).toEqual([handleOf(ck).inProgress]);
    expect((await c.checkpoint(2)).handles).toEqual({});
  });

  it('at-least-once publishes each part at preCommit', async () => {
    const out = join(fresh(), 'flows.ndjson');
    const c = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-1', 'at-least-once'));
    await c.start();
    await c.feed(BATCHES[0]!);
    expect((await c.checkpoint(1)).handles).toEqual({});
    expect(readPartLines(out)).toEqual(BATCHES[0]);
  });

  it('refuses a path that exists as a file, leaving it as it was', async () => {
    const dir = fresh();
    const out = join(dir, 'flows.ndjson');
    writeFileSync(out, 'from a run without checkpoints\n');
    const c = new FakeCoordinator(sinkPipeline(out), w, checkpointingFor('run-1'));
    const e = await c.start().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SinkTargetError);
    expect(String(e)).toMatch(/step 'Out' cannot write .*flows\.ndjson: with checkpointing the output is a folder of part files/);
    expect(readFileSync(out, 'utf8')).toBe('from a run without checkpoints\n');
    expect(readdirSync(dir)).toEqual(['flows.ndjson']);
  });

  it.runIf(existsSync('/dev/stdout'))('refuses exactly-once to stdout, naming the step and the way out', async () => {
    const c = new FakeCoordinator(sinkPipeline('/dev/stdout'), w, checkpointingFor('run-1'));
    const e = await c.start().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnsupportedGuaranteeError);
    expect(String(e)).toMatch(/step 'Out' cannot write \/dev\/stdout exactly-once: .*Use --guarantee=at-least-once/);
  });

  it.runIf(process.platform !== 'win32')('writes a FIFO in order at-least-once (no parts), and refuses it exactly-once', async () => {
    const dir = fresh();
    const fifo = join(dir, 'flows.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await expect(new FakeCoordinator(sinkPipeline(fifo), w, checkpointingFor('run-1')).start()).rejects.toThrow(UnsupportedGuaranteeError);
    const copy = join(dir, 'copy.txt');
    const copyFd = openSync(copy, 'w');
    const reader = spawn('cat', [fifo], { stdio: ['ignore', copyFd, 'inherit'] });
    closeSync(copyFd);
    const readerDone = new Promise<number | null>((resolve) => reader.on('close', resolve));
    const c = new FakeCoordinator(sinkPipeline(fifo), w, checkpointingFor('run-1', 'at-least-once'));
    await c.start();
    for (let i = 0; i < BATCHES.length; i++) {
      await c.feed(BATCHES[i]!);
      expect((await c.checkpoint(i + 1)).handles).toEqual({});
    }
    await c.close('done');
    expect(await readerDone).toBe(0);
    expect(readFileSync(copy, 'utf8')).toBe(`${ALL.join('\n')}\n`);
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it('property: wherever the first run crashes, the published output after resuming equals the failure-free output (no loss, no duplicate)', async () => {
    const line = fc.string({ unit: 'grapheme', maxLength: 30 }).map((t) => t.replace(/[\r\n]/g, ' '));
    const batches = fc.array(fc.array(line, { maxLength: 6 }), { minLength: 1, maxLength: 6 });
    const crash = fc.record({ k: fc.integer({ min: 1, max: 6 }), at: fc.constantFrom('barrier', 'sink.preCommit', 'sink.commit', 'committed') as fc.Arbitrary<Crash['at']> });
    await fc.assert(
      fc.asyncProperty(batches, crash, async (bs, c) => {
        failpoints.reset();
        const out = await crashAndResume(w, bs, c);
        expect(readPartLines(out)).toEqual(bs.flat());
        expect(hiddenFiles(out)).toEqual([]);
      }),
      { numRuns: 25, seed: 13 },
    );
  });
});
