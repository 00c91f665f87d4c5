import { close, closeSync, fdatasync, openSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CheckpointRecoveryError, SinkTargetError } from '../../sdk/errors.js';
import { danglingLinkTarget } from './dangling-link.js';
import type { RecoverContext } from '../../sdk/io/two-phase-commit.js';
import { isDescriptorAlias } from './file-sink-target.js';
import { syncDirectory } from './in-progress-file.js';

const closeFd = promisify(close);
const fdatasyncFd = promisify(fdatasync);

/**
 * The handle of a pre-committed part (what a checkpoint stores for a TextFile sink): the hidden file
 * holding the part's bytes, the name it is published under, and its size. Names are relative to the
 * part folder, so a job resumed from another working directory finds them.
 */
export interface PartHandle {
  readonly inProgress: string;
  readonly part: string;
  readonly bytes: number;
}

/**
 * The file system calls that order a part's durability, one seam for tests that check the order
 * (the defaults are node:fs).
 */
export interface PartFileOps {
  fdatasync(fd: number): Promise<void>;
  close(fd: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** fsync of a directory; file systems that cannot are left as they are. */
  syncDirectory(dir: string): Promise<void>;
}

const NODE_OPS: PartFileOps = { fdatasync: fdatasyncFd, close: closeFd, rename, syncDirectory };

/** Name of the finished part of `subtask` for checkpoint `seq`: `part-<subtask>-<seq, 12 digits><ext>`. */
export function partName(subtask: number, seq: number, ext: string): string {
  return `part-${subtask}-${String(seq).padStart(12, '0')}${ext}`;
}

/**
 * A folder of part files, the output of a TextFile sink under checkpointing. Whoever lists it sees
 * only finished parts, `part-<subtask>-<seq:012><ext>`, each the output of one checkpoint, so reading
 * them in name order gives the output in order (see test/support/read-parts.ts). Work in progress is
 * in hidden files, `.part-<subtask>-<run>-<n:06><ext>.inprogress`, in the same folder (one file system,
 * so the publishing rename is atomic); parts moved aside on recovery become hidden
 * `.<part>.superseded-<run>`.
 *
 * Order of durability: a part's bytes are flushed (`fdatasync`) and its directory entry too (an fsync
 * of the folder) before its handle is returned for a checkpoint (`seal`); only then may the checkpoint
 * be written, and only after the checkpoint is durable is the part renamed to its final name (`publish`),
 * followed by another fsync of the folder. A crash at any point leaves either the hidden file or the
 * finished part, never a partial part under a final name.
 * @example
 * const f = await PartFolder.open('Out', 'out/flows.ndjson', 0);
 * const { fd, name } = f.create('run-1', 1);
 * writeSync(fd, 'a line\n');
 * const handle = await f.seal(fd, name, 42, 7);   // durable, still hidden
 * await f.publish(handle);                         // out/flows.ndjson/part-0-000000000042.ndjson
 */
export class PartFolder {
  private constructor(
    private readonly step: string,
    /** The folder. */
    readonly dir: string,
    readonly subtask: number,
    /** Extension of the parts: the folder name's (`flows.ndjson` → `.ndjson`). */
    readonly ext: string,
    private readonly ops: PartFileOps,
  ) {}

  /**
   * Makes the folder if needed, and flushes the entries of the folders it made (an fsync of each one's
   * parent), so the folder is there after a crash even when no part is ever published. @throws SinkTargetError when `dir` exists and is not a folder (a file
   * written without checkpointing, say: it is left as it is).
   */
  static async open(step: string, dir: string, subtask: number, ops: PartFileOps = NODE_OPS): Promise<PartFolder> {
    const existing = await stat(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (existing !== undefined && !existing.isDirectory()) throw notAFolder(step, dir);
    // A new folder's entry (and those of new folders above it) is flushed too, so that even a run that
    // writes no part leaves its (empty) folder durably, as a non-empty run leaves its parts.
    // A dangling symbolic link stays: the folder is made at its target, as a file output's file is.
    const made = existing === undefined ? (danglingLinkTarget(dir) ?? dir) : dir;
    const created = await mkdir(made, { recursive: true });
    if (created !== undefined) {
      for (let d = made; ; d = dirname(d)) {
        await ops.syncDirectory(dirname(d));
        if (resolve(d) === resolve(created) || dirname(d) === d) break;
      }
    }
    return new PartFolder(step, dir, subtask, extname(dir), ops);
  }

  /**
   * Before a run, without touching anything: refuses a `dir` that exists as a regular file, where a
   * checkpointed TextFile output's folder must go (a pipe, device or `/dev/stdout` is written as a
   * stream, not as a folder, and passes). A file system error other than a missing path is left to `open`.
   * @throws SinkTargetError naming `step` and `dir`, as `open` would.
   * @example PartFolder.refuseFileInTheWay('Out', 'out/flows.ndjson') // throws when out/flows.ndjson is a file
   */
  static refuseFileInTheWay(step: string, dir: string): void {
    if (isDescriptorAlias(dir)) return;
    let existing: ReturnType<typeof statSync> | undefined;
    try {
      existing = statSync(dir);
    } catch {
      return;
    }
    if (existing.isFile()) throw notAFolder(step, dir);
  }

  /**
   * Creates the `n`-th hidden in-progress part of run `runId` (exclusively: an existing file is never
   * reused). Synchronous, so a sink can open its part in the middle of `process`.
   */
  create(runId: string, n: number): { fd: number; name: string } {
    const name = `.part-${this.subtask}-${runId.replace(/[^A-Za-z0-9_-]/g, '_')}-${String(n).padStart(6, '0')}${this.ext}.inprogress`;
    return { fd: openSync(join(this.dir, name), 'wx', 0o666), name };
  }

  /**
   * Ends an in-progress part for checkpoint `seq`: flushes its bytes, closes `fd`, flushes the folder
   * entry, and returns its handle. The part stays hidden.
   */
  async seal(fd: number, name: string, seq: number, bytes: number): Promise<PartHandle> {
    try {
      await this.ops.fdatasync(fd);
    } finally {
      await this.ops.close(fd);
    }
    await this.ops.syncDirectory(this.dir);
    return { inProgress: name, part: partName(this.subtask, seq, this.ext), bytes };
  }

  /**
   * Publishes a sealed part: renames it to its final name, then flushes the folder. Idempotent: a
   * final part of `bytes` bytes whose hidden file is gone counts as published.
   * @throws CheckpointRecoveryError when neither file exists, when the final part has another size,
   *   or when both exist (the final name is never overwritten).
   */
  async publish(h: PartHandle): Promise<void> {
    const finalPath = join(this.dir, h.part);
    const hidden = join(this.dir, h.inProgress);
    const done = await stat(finalPath).catch(() => undefined);
    if (done !== undefined) {
      if (await exists(hidden)) throw new CheckpointRecoveryError(this.step, `${finalPath} exists already and ${hidden} is still pending: refusing to overwrite a published part`);
      if (done.size !== h.bytes) throw new CheckpointRecoveryError(this.step, `${finalPath} has ${done.size} bytes, its checkpoint says ${h.bytes}`);
      return;
    }
    try {
      await this.ops.rename(hidden, finalPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      throw new CheckpointRecoveryError(this.step, `neither ${finalPath} nor its in-progress file ${hidden} exists: the output of that checkpoint is gone`);
    }
    await this.ops.syncDirectory(this.dir);
  }

  /**
   * At the start of a run: publishes `pending` (the restored checkpoint's part) unless `committed`;
   * removes this subtask's other in-progress parts (a crashed run's work after the checkpoint, which the
   * replay writes again); moves this subtask's finished parts newer than the restored checkpoint (all of
   * them on a fresh start) aside to hidden `.<part>.superseded-<runId>`, with a warning, since the run
   * writes parts with those numbers again. Such parts exist only after a fallback past a corrupt
   * checkpoint, or when a new job writes into an old job's folder; nothing is deleted.
   * Returns the names removed and moved aside.
   */
  async recover(pending: PartHandle | undefined, ctx: RecoverContext, runId: string): Promise<{ removed: string[]; superseded: string[] }> {
    if (pending !== undefined && !ctx.committed) await this.publish(pending);
    const restored = ctx.restoredSeq ?? 0;
    const mine = new RegExp(`^part-${this.subtask}-(\\d{12})`);
    const removed: string[] = [];
    const superseded: string[] = [];
    for (const name of (await readdir(this.dir)).sort()) {
      if (name.startsWith(`.part-${this.subtask}-`) && name.endsWith('.inprogress')) {
        await unlink(join(this.dir, name));
        removed.push(name);
        continue;
      }
      const m = mine.exec(name);
      if (m && Number(m[1]) > restored) {
        const aside = `.${name}.superseded-${runId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
        await this.ops.rename(join(this.dir, name), join(this.dir, aside));
        superseded.push(name);
      }
    }
    if (superseded.length > 0) {
      ctx.warn(
        `${this.dir}: ${superseded.length} part(s) newer than the restored checkpoint ${ctx.restoredSeq ?? '(none: a fresh start)'} ` +
          `were moved aside as hidden .<name>.superseded-${runId} files, since this run writes that output again: ${superseded.join(', ')}`,
      );
    }
    if (removed.length > 0 || superseded.length > 0) await this.ops.syncDirectory(this.dir);
    return { removed, superseded };
  }

  /** Removes an in-progress part that will never be pre-committed (the run failed or was cancelled). Never throws. */
  async discard(fd: number | undefined, name: string): Promise<void> {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    await unlink(join(this.dir, name)).catch(() => undefined);
  }
}

function notAFolder(step: string, dir: string): SinkTargetError {
  return new SinkTargetError(step, dir, 'with checkpointing the output is a folder of part files, and this path exists and is not a folder; move it away or write elsewhere');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

