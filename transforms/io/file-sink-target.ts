import { close, fstatSync, open, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { InProgressFile } from './in-progress-file.js';
import { descriptorOf } from './descriptor-path.js';

const openFd = promisify(open);
const closeFd = promisify(close);

/**
 * Where a file sink writes, opened: a descriptor, how to write to it, and how to end.
 * - `positional`: true for a regular file (written at offsets, in any order, on any thread); false
 *   for everything that cannot seek (a pipe, FIFO, socket, terminal or device such as /dev/null or
 *   /dev/full), which is written at its current offset, in order.
 * - `commit()`: the output is complete (the run succeeded): a regular file is published (see
 *   {@link InProgressFile}); anything else is closed.
 * - `abort()`: the output is abandoned: a regular file's in-progress file is removed, so an existing
 *   file stays exactly as it was; anything else is closed. Never throws.
 * - `file`: a regular file's in-progress file (undefined for anything else), for publishing it with
 *   other files as one set instead of by `commit()` (see `FileOutputSet`).
 */
export interface FileSinkTarget {
  readonly fd: number;
  readonly positional: boolean;
  readonly file?: InProgressFile;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Opens `path` for a file sink, by what it is:
 * - a regular file, or nothing yet: a hidden in-progress file next to it, published by rename at
 *   `commit()` (an existing file is never truncated or touched before then);
 * - `/dev/stdout`, `/dev/stderr`, `/dev/fd/<n>` or `/proc/self/fd/<n>`: that descriptor's own file
 *   (a pipe or terminal is opened anew; a socket, which cannot be opened by name, and a file the
 *   shell redirected to, are written through the descriptor itself, at its offset, so `>` and `>>`
 *   behave as with any other program);
 * - any other existing non-regular file (a FIFO, a device): opened for writing, without truncation
 *   mattering; a FIFO's open waits for a reader without blocking the event loop.
 * @throws the file system's error (EACCES, EISDIR for a directory, ...).
 * @example const t = await openFileSinkTarget('out/pairs.ndjson'); writeSync(t.fd, 'x\n'); await t.commit();
 */
export async function openFileSinkTarget(path: string): Promise<FileSinkTarget> {
  const alias = descriptorOf(path);
  if (alias !== undefined) return openDescriptorAlias(path, alias);
  const existing = await stat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (existing === undefined || existing.isFile()) {
    const file = await InProgressFile.create(path);
    return { fd: file.fd, positional: true, file, commit: () => file.publish(), abort: () => file.discard() };
  }
  if (existing.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
  return ownDescriptor(await openFd(path, 'w'));
}

/**
 * True when `path` is written as a stream rather than as a file that can be replaced: a descriptor
 * alias (`/dev/stdout`, `/dev/fd/<n>`, ...) or an existing pipe, FIFO, socket, terminal or device. Such
 * a target shows every byte as soon as it is written, so output to it cannot wait for a commit.
 * @throws the file system's error other than ENOENT.
 */
export async function isStreamTarget(path: string): Promise<boolean> {
  if (descriptorOf(path) !== undefined) return true;
  const existing = await stat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  return existing !== undefined && !existing.isFile() && !existing.isDirectory();
}

/**
 * True when `path` names the process's standard output (`/dev/stdout`, `/dev/fd/1`, ..., or the
 * same file, pipe or socket as descriptor 1): a command then prints its report to stderr instead.
 */
export function writesToStdout(path: string): boolean {
  if (descriptorOf(path) === 1) return true;
  try {
    const [a, b] = [statSync(path), fstatSync(1)];
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false;
  }
}

/** Why an output path that {@link namesDirectory} cannot be a file output (for messages). */
export const NAMES_DIRECTORY = "names a directory (it ends in '/', '/.' or '/..'): a file output needs a file name";

/**
 * True when `path` can only name a directory: it ends in `/` (or `\`), `/.` or `/..` (or is `.` or
 * `..`). A file output there cannot be renamed into place when the run ends (ENOTDIR, EISDIR).
 * @example namesDirectory('out/') // true
 * @example namesDirectory('out/pairs.ndjson') // false
 */
export function namesDirectory(path: string): boolean {
  return /(?:^|[/\\])\.{1,2}$|[/\\]$/.test(path);
}

/** True when `path` names a descriptor of the process (`/dev/stdout`, `/dev/fd/<n>`, ...): written as a stream. */
export function isDescriptorAlias(path: string): boolean {
  return descriptorOf(path) !== undefined;
}

async function openDescriptorAlias(path: string, fd: number): Promise<FileSinkTarget> {
  if (fstatSync(fd).isFile()) return borrowedDescriptor(fd);
  try {
    return ownDescriptor(await openFd(path, 'w'));
  } catch (e) {
    // A socket cannot be opened through /proc: write through the descriptor itself.
    if ((e as NodeJS.ErrnoException).code === 'ENXIO') return borrowedDescriptor(fd);
    throw e;
  }
}

/** A descriptor this sink opened: closed at the end either way. */
function ownDescriptor(fd: number): FileSinkTarget {
  let closed = false;
  const end = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await closeFd(fd);
  };
  return { fd, positional: false, commit: end, abort: () => end().catch(() => undefined) };
}

/** A descriptor of the process (stdout, say): written, never closed. */
function borrowedDescriptor(fd: number): FileSinkTarget {
  return { fd, positional: false, commit: async () => {}, abort: async () => {} };
}
