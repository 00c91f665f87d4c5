import { close, fsync, open, unlinkSync, type Stats } from 'node:fs';
import { mkdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import { danglingLinkTarget } from './dangling-link.js';

const openFd = promisify(open);
const closeFd = promisify(close);
const fsyncFd = promisify(fsync);

/** Hidden files of this process neither published nor discarded yet: removed if the process exits first. */
const unfinished = new Set<string>();
let exitHookInstalled = false;

/** Removes this process's unfinished hidden files (never throws). */
function removeUnfinished(): void {
  for (const p of unfinished) {
    try {
      unlinkSync(p);
    } catch {
      // gone already
    }
  }
  unfinished.clear();
}

/** The signals whose default action ends the process without an 'exit' event. */
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Removes the unfinished hidden files when the process exits before they are published
 * (process.exit, a second Ctrl-C), and when SIGINT, SIGTERM or SIGHUP would end it with nobody else
 * listening (a bounded run without checkpoints does not stop on signals): then the files go and the
 * signal is raised again, so the process still ends by that signal (exit status 128 + n). Where
 * another listener handles the signal (a run's graceful stop), it is left to that listener.
 */
function removeUnfinishedAtExit(path: string): void {
  unfinished.add(path);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', removeUnfinished);
  for (const signal of ENDING_SIGNALS) {
    const onSignal = (): void => {
      if (process.listenerCount(signal) > 1) return; // someone else stops the process gracefully
      removeUnfinished();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/**
 * A file written under a hidden name next to its final name and published by renaming it onto the
 * final name once it is complete. Whoever opens the final name sees the previous file (or none) until
 * then, and the whole new file after; a write that fails or is abandoned is discarded and leaves the
 * final name as it was. The hidden name is `.<final name>.<uuid v7>.inprogress` in the final file's
 * directory (the same file system, so the rename is atomic).
 *
 * - `create` makes the directory if needed and the hidden file (exclusively; with the mode of the file
 *   it will replace, if any). A final name that is a symbolic link keeps the link: its target is replaced,
 *   or made when the link is dangling (it points at nothing yet).
 * - `publish()` flushes the file to disk (fsync), closes it, renames it onto the final name and
 *   flushes the directory; if any of that fails, the hidden file is removed and the error thrown.
 * - `discard()` closes and removes the hidden file; it never throws.
 * Both are idempotent; after one, the other does nothing. A process that exits before either (a
 * second Ctrl-C, `process.exit`, a SIGINT/SIGTERM/SIGHUP nobody else handles) removes the hidden file
 * as it exits; only a killed one (SIGKILL, a crash of the machine) can leave it behind.
 * @example
 * const f = await InProgressFile.create('out/pairs.ndjson');
 * writeSync(f.fd, 'a line\n');
 * await f.publish(); // out/pairs.ndjson now holds 'a line\n'
 */
export class InProgressFile {
  private state: 'open' | 'published' | 'discarded' = 'open';
  private closed = false;

  private constructor(
    /** The open descriptor of the hidden file. */
    readonly fd: number,
    /** Where the file is written until it is published. */
    readonly path: string,
    /** Where it is published (the resolved target of a symbolic link). */
    readonly finalPath: string,
  ) {}

  /**
   * @throws the file system's error when the directory or the hidden file cannot be made, an Error
   *   with code EISDIR when the final name is a directory, and one with code ENOTREGULAR when it is
   *   a FIFO, device or socket (renaming onto it would replace it with a file: write those in place,
   *   see `openFileSinkTarget`).
   */
  static async create(finalPath: string): Promise<InProgressFile> {
    let existing: Stats | undefined;
    let target = finalPath;
    try {
      existing = await stat(finalPath);
      target = await realpath(finalPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // A dangling link is kept: the file is made at its target (renaming onto the link would replace it).
      target = danglingLinkTarget(finalPath) ?? finalPath;
    }
    if (existing?.isDirectory()) throw Object.assign(new Error(`${finalPath} is a directory`), { code: 'EISDIR' });
    // A rename onto a FIFO, device or socket would replace it (e.g. /dev/null, for everyone) with a file.
    if (existing !== undefined && !existing.isFile()) {
      throw Object.assign(new Error(`${finalPath} is not a regular file (a FIFO, device or socket): it is written in place, never replaced`), { code: 'ENOTREGULAR' });
    }
    const dir = dirname(target);
    await mkdir(dir, { recursive: true });
    const path = inProgressPath(target);
    // Registered before the file exists: a signal while it is being created must not leave it behind.
    removeUnfinishedAtExit(path);
    let fd: number;
    try {
      fd = await openFd(path, 'wx', existing ? existing.mode & 0o7777 : 0o666);
    } catch (e) {
      unfinished.delete(path);
      throw e;
    }
    return new InProgressFile(fd, path, target);
  }

  /**
   * Flushes the hidden file to disk (fsync) and closes it, without publishing it: for a set of files
   * that are all flushed before any is renamed into place (see `writeWholeFileSet`). Once only;
   * `publish()` then renames. @throws the error of fsync or close (the file stays open for `discard()`).
   */
  async flush(): Promise<void> {
    if (this.state !== 'open' || this.closed) return;
    await fsyncFd(this.fd);
    await this.close();
  }

  /** Makes the file visible under its final name. @throws the error of fsync, close or rename (the hidden file is then removed). */
  async publish(): Promise<void> {
    if (this.state !== 'open') return;
    try {
      await this.flush();
      await rename(this.path, this.finalPath);
    } catch (e) {
      await this.discard();
      throw e;
    }
    unfinished.delete(this.path);
    this.state = 'published';
    await syncDirectory(dirname(this.finalPath));
  }

  /** Closes and removes the hidden file, leaving the final name untouched. Never throws. */
  async discard(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'discarded';
    await this.close().catch(() => undefined);
    await unlink(this.path).catch(() => undefined);
    unfinished.delete(this.path);
  }

  /** Closes the descriptor once (closing a number twice could close a file opened since). */
  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeFd(this.fd);
  }
}

/** The longest file name most file systems take (ext4, XFS, btrfs, APFS: 255 bytes). */
const NAME_MAX = 255;

/**
 * The hidden in-progress name of `finalPath`: `<dir>/.<name>.<uuid v7>.inprogress`, with `<name>` cut
 * (at a character boundary) so that the hidden name is at most 255 bytes: any file name that can be
 * written can be written this way.
 * @example inProgressPath('/x/out/pairs.ndjson', 'ID') // '/x/out/.pairs.ndjson.ID.inprogress'
 */
export function inProgressPath(finalPath: string, id: string = uuidv7()): string {
  const suffix = `.${id}.inprogress`;
  return join(dirname(finalPath), `.${utf8Prefix(basename(finalPath), NAME_MAX - 1 - Buffer.byteLength(suffix))}${suffix}`);
}

/** The longest prefix of `text` of at most `bytes` UTF-8 bytes, never cutting a character. */
function utf8Prefix(text: string, bytes: number): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  let out = '';
  let used = 0;
  for (const c of text) {
    used += Buffer.byteLength(c);
    if (used > bytes) break;
    out += c;
  }
  return out;
}

/** Flushes a directory's entries (a rename, a new file) to disk; file systems that cannot are left as they are. */
export async function syncDirectory(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = await openFd(dir, 'r');
    await fsyncFd(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename has happened either way.
  } finally {
    if (fd !== undefined) await closeFd(fd).catch(() => undefined);
  }
}
