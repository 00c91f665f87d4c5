import { failpoint } from '../../sdk/testing/failpoints.js';
import { isStreamTarget } from './file-sink-target.js';
import { InProgressFile } from './in-progress-file.js';
import { writeInHalves, writeWholeFile } from './whole-file.js';

/** A member of a set: its complete hidden file, and what its owner's errors look like. */
interface Member {
  readonly file: InProgressFile;
  readonly error: (cause: unknown) => unknown;
}

/**
 * The regular files one run writes (its outputs, its summary), published together so that they are
 * never read as one set while they come from two runs. Each member is complete and flushed to disk
 * (fsync, closed) under its hidden name when it is added; `publish()` renames them onto their names
 * one after the other (microseconds apart), `discard()` removes them. So a failure before `publish()`
 * (a sink's write or flush, the summary, a crash) leaves every existing file exactly as it was: no
 * file is truncated or replaced before the whole set is on disk. A rename that fails (or a machine
 * crash during the renames) leaves the files before it new and it and the ones after it as they were,
 * each whole; the hidden files not renamed are removed. Failpoint `fileSet.rename` is reached before
 * each rename (for tests).
 *
 * Members are added by sinks at teardown (`TextFile.write(path, format, flushBytes, { publishWith })`)
 * and with {@link FileOutputSet.write}. Once published or discarded, a set takes no more members.
 * @example
 * const set = new FileOutputSet();
 * p.apply(...).apply('Write', TextFile.write('out/pairs.ndjson', undefined, undefined, { publishWith: set }));
 * try { await p.run(); await set.write('out/stats.json', '{}'); await set.publish(); } catch (e) { await set.discard(); throw e; }
 */
export class FileOutputSet {
  private readonly members: Member[] = [];
  /** What `write` was given for a stream target: written in place by `publish()`, after the renames. */
  private readonly streams: { path: string; data: string | Uint8Array; error: (cause: unknown) => unknown }[] = [];
  private state: 'open' | 'published' | 'discarded' = 'open';

  /**
   * @internal For sinks (TextFile.write with `publishWith`) and `writeWholeFileSet`.
   * Adds `file`, completely written: flushes it to disk (fsync) and closes it; it stays hidden until
   * `publish()`. `error` turns a file system error of this file (at the flush or its rename) into its
   * owner's typed error (default: as it is).
   * @throws `error(cause)` when the flush fails (the file is then discarded); an Error when the set was
   *   published or discarded already (the file is discarded too).
   */
  async add(file: InProgressFile, error: (cause: unknown) => unknown = (e) => e): Promise<void> {
    if (this.state !== 'open') {
      await file.discard();
      throw new Error(`cannot add ${file.finalPath} to a set of files that was ${this.state} already`);
    }
    try {
      await file.flush();
    } catch (e) {
      await file.discard();
      throw error(e);
    }
    this.members.push({ file, error });
  }

  /**
   * Writes `data` (a string as UTF-8) as a whole file at `path`: a regular file (or a path that does not
   * exist yet) is written now under its hidden name and becomes a member of the set; a FIFO, pipe,
   * device or `/dev/stdout`, which cannot wait hidden, is written in place by `publish()`, after the
   * renames (see `writeWholeFile`). Failpoint `file.write` is reached half-way through the bytes.
   * @throws `error(cause)` for the file system's error (EISDIR, EACCES, ENOSPC, ...), after removing the
   *   hidden file; an Error when the set was published or discarded already.
   * @example await set.write('out/stats.json', JSON.stringify(summary), (e) => new OutputFileError('--statsOut', 'out/stats.json', e))
   */
  async write(path: string, data: string | Uint8Array, error: (cause: unknown) => unknown = (e) => e): Promise<void> {
    if (this.state !== 'open') throw new Error(`cannot add ${path} to a set of files that was ${this.state} already`);
    let file: InProgressFile | undefined;
    try {
      if (await isStreamTarget(path)) {
        this.streams.push({ path, data, error });
        return;
      }
      file = await InProgressFile.create(path);
      writeInHalves(file.fd, data, true, path);
    } catch (e) {
      await file?.discard();
      throw error(e);
    }
    await this.add(file, error);
  }

  /**
   * Renames every member onto its name, in the order they were added, then writes the stream targets
   * given to `write`. Once; a second call does nothing.
   * @throws the failing member's `error(cause)` when a rename fails: the members before it are
   *   published, it and the ones after it are removed (their names as they were), no stream written;
   *   a stream's `error(cause)` when writing it fails (every member is published then).
   */
  async publish(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'published';
    let next = 0;
    try {
      for (; next < this.members.length; next++) {
        failpoint('fileSet.rename', this.members[next]!.file.finalPath);
        await this.members[next]!.file.publish();
      }
    } catch (e) {
      const failed = this.members[next]!;
      await Promise.all(this.members.slice(next).map((m) => m.file.discard()));
      throw failed.error(e);
    }
    for (const s of this.streams) {
      try {
        await writeWholeFile(s.path, s.data);
      } catch (e) {
        throw s.error(e);
      }
    }
  }

  /** Removes every member's hidden file; the names stay as they were. Never throws; idempotent. */
  async discard(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'discarded';
    await Promise.all(this.members.map((m) => m.file.discard()));
  }
}
