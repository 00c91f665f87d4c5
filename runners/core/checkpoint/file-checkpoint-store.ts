import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { PipelineOptionsError } from '../../../sdk/errors.js';
import { dirname, join, relative } from 'node:path';
import { checkBlobName, type CheckpointStore } from './checkpoint-store.js';

const TEMP_PREFIX = '.tmp-';
/** What a checkpoint directory holds (the repository's `job.json` and folders, the micro-batch offset log): nothing else is ever swept or required. */
const OWN_ENTRIES = new Set(['job.json', 'checkpoints', 'commits', 'offsets']);

/**
 * A CheckpointStore in a local directory (`--checkpointDir`). Names map to files; slashes to
 * subdirectories.
 *
 * `put` writes a hidden temporary file beside the target (`.tmp-<name>-<runId>`, created exclusively),
 * fdatasyncs it, renames it over the target and fsyncs the directory, so the rename itself survives a
 * power loss. A crash at any point leaves the previous blob or the complete new one; at worst a
 * temporary file stays behind, which `open` removes and `list` never shows.
 *
 * @example
 * const store = await FileCheckpointStore.open('/var/lib/job/ckpt', { runId });
 * await store.put('checkpoints/ck-000000000001', parts);
 */
export class FileCheckpointStore implements CheckpointStore {
  readonly location: string;
  /** Temporary files of crashed runs that `open` removed (relative paths), for a message. */
  readonly removedTemporaries: readonly string[];
  private readonly madeDirs = new Set<string>();

  private constructor(
    private readonly dir: string,
    private readonly runId: string,
    removed: string[],
  ) {
    this.location = dir;
    this.removedTemporaries = removed;
    this.madeDirs.add(dir);
  }

  /**
   * Creates the directory when missing and removes temporary files that crashed runs left in it (in
   * the directory and in its own folders `checkpoints`, `commits`, `offsets`, never elsewhere).
   * `runId` makes this run's temporary names its own. An existing directory must be a checkpoint
   * directory (it holds `job.json`) or hold nothing else than what a store writes: a directory of other
   * files (`--checkpointDir=.`, a home or data directory) is refused, so that nothing of its files is
   * swept or mixed with checkpoints.
   * @throws RangeError when `runId` is not made of letters, digits and `-`; PipelineOptionsError when
   *   `dir` is a file, or a directory of other files; the fs error when the directory cannot be
   *   created or read.
   */
  static async open(dir: string, options: { runId: string }): Promise<FileCheckpointStore> {
    if (!/^[A-Za-z0-9-]+$/.test(options.runId)) throw new RangeError(`runId must be letters, digits and '-', got ${JSON.stringify(options.runId)}`);
    const existing = await stat(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (existing !== undefined && !existing.isDirectory()) throw new PipelineOptionsError(`checkpoint directory ${dir} is a file, not a directory: give a new or empty directory (or one an earlier run checkpointed into)`);
    const made = await mkdir(dir, { recursive: true });
    if (made !== undefined) await fsyncDir(dirname(dir));
    const top = await readdir(dir, { withFileTypes: true });
    if (!top.some((e) => e.name === 'job.json')) {
      const foreign = top.filter((e) => !OWN_ENTRIES.has(e.name) && !e.name.startsWith(TEMP_PREFIX)).map((e) => e.name);
      if (foreign.length > 0) {
        const listed = foreign.length > 3 ? `${foreign.slice(0, 3).join(', ')} and ${foreign.length - 3} more` : foreign.join(', ');
        throw new PipelineOptionsError(`checkpoint directory ${dir} holds other files (${listed}) and no job.json: it is not a checkpoint directory. Give a new or empty directory (or one an earlier run checkpointed into)`);
      }
    }
    const removed: string[] = [];
    const sweep = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) {
          if (d === dir && OWN_ENTRIES.has(e.name)) await sweep(p);
        } else if (e.name.startsWith(TEMP_PREFIX)) {
          await rm(p, { force: true });
          removed.push(relative(dir, p));
        }
      }
    };
    await sweep(dir);
    return new FileCheckpointStore(dir, options.runId, removed);
  }

  async put(name: string, parts: readonly Uint8Array[]): Promise<void> {
    const target = this.path(name);
    const dir = dirname(target);
    await this.makeDir(dir);
    const temp = join(dir, `${TEMP_PREFIX}${target.slice(dir.length + 1)}-${this.runId}`);
    const fh = await open(temp, 'wx');
    try {
      try {
        await writeAll(fh, parts);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      await rename(temp, target);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
    await fsyncDir(dir);
  }

  async get(name: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const cut = prefix.lastIndexOf('/') + 1;
    const folder = prefix.slice(0, cut);
    const start = prefix.slice(cut);
    if (folder !== '') checkBlobName(folder.slice(0, -1));
    let entries;
    try {
      entries = await readdir(join(this.dir, folder), { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return entries
      .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name.startsWith(start))
      .map((e) => folder + e.name)
      .sort();
  }

  async delete(name: string): Promise<void> {
    await rm(this.path(name), { force: true });
  }

  private path(name: string): string {
    return join(this.dir, ...checkBlobName(name).split('/'));
  }

  private async makeDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    const made = await mkdir(dir, { recursive: true });
    if (made !== undefined) await fsyncDir(dirname(dir));
    this.madeDirs.add(dir);
  }
}

async function writeAll(fh: FileHandle, parts: readonly Uint8Array[]): Promise<void> {
  let rest = parts.filter((p) => p.length > 0);
  while (rest.length > 0) {
    let { bytesWritten } = await fh.writev(rest as Uint8Array[]);
    if (bytesWritten === 0) throw new Error('the file system accepted no bytes');
    // A short write (rare, for very large writes): continue after the bytes that made it.
    const next: Uint8Array[] = [];
    for (const p of rest) {
      if (bytesWritten >= p.length) bytesWritten -= p.length;
      else {
        next.push(p.subarray(bytesWritten));
        bytesWritten = 0;
      }
    }
    rest = next;
  }
}

/** Makes a directory's entries (a rename, a new file) durable. */
async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
