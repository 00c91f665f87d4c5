import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PipelineOptionsError } from '../sdk/errors.js';
import { danglingLinkTarget } from '../transforms/io/dangling-link.js';
import { NAMES_DIRECTORY, namesDirectory } from '../transforms/io/file-sink-target.js';

/**
 * Checks, before a run, that a file can be written at `path` afterwards, without creating or
 * touching anything: an existing `path` must be a writable file; otherwise its nearest existing
 * ancestor must be a writable directory (the missing ones are created when the file is written).
 *
 * A `path` ending in `/`, `/.` or `/..` names a directory and is refused (unless `folder`).
 *
 * With `folder` (an output that is a folder of part files, as a file output is with `--checkpointDir`),
 * an existing `path` may also be a writable directory (the folder a run before left).
 *
 * @throws PipelineOptionsError naming the flag, the path and what is in the way (`shown` replaces
 * `--<flag>=<path>` at the start of the message, e.g. `--output=ndjson:<path>`).
 * @example checkWritablePath('out/run/stats.json', 'statsOut') // fine when out/ (or the cwd) is writable
 */
export function checkWritablePath(path: string, flag: string, shown = `--${flag}=${path}`, folder = false): void {
  const fail = (why: string) => new PipelineOptionsError(`${shown}: ${why}`);
  // A file is written under a hidden name and renamed onto `path` at the end: onto 'dir/' that fails, after the whole run.
  if (!folder && namesDirectory(path)) throw fail(NAMES_DIRECTORY);
  // A dangling symbolic link: the file is made at its target (see InProgressFile), so that is where it must fit.
  const target = danglingTarget(resolve(path), fail);
  const own = statOrUndefined(target);
  if (own !== undefined) {
    if (own.isDirectory()) {
      if (!folder) throw fail('is a directory');
      if (!canAccess(target, constants.W_OK | constants.X_OK)) throw fail('the folder is not writable');
      return;
    }
    if (!canAccess(target, constants.W_OK)) throw fail('the file is not writable');
    return;
  }
  for (let dir = dirname(target); ; dir = dirname(dir)) {
    const s = statOrUndefined(dir);
    if (s !== undefined) {
      if (!s.isDirectory()) throw fail(`${dir} is not a directory`);
      if (!canAccess(dir, constants.W_OK | constants.X_OK)) throw fail(`cannot write in ${dir}`);
      return;
    }
    if (dirname(dir) === dir) throw fail('no existing directory on its path');
  }
}

/** `path`, or the target of a dangling symbolic link at `path`. @throws what `fail` makes for a loop of links. */
function danglingTarget(path: string, fail: (why: string) => PipelineOptionsError): string {
  try {
    return danglingLinkTarget(path) ?? path;
  } catch (e) {
    throw fail((e as Error).message);
  }
}

/** The path's stat, or undefined when it does not exist (or a parent is a file). */
function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new PipelineOptionsError(`${path}: ${(e as Error).message}`);
  }
}

function canAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
