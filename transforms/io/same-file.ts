import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { danglingLinkTarget } from './dangling-link.js';

/**
 * True when the paths `a` and `b` name the same file: the same real path (relative paths, `.`, `..`
 * and symbolic links resolved, a dangling one to its target; for a file that does not exist yet, the real path of its nearest
 * existing directory plus the rest), or, when both exist, the same device and inode (hard links,
 * bind mounts). Reads the file system; never throws.
 * @example sameFile('data/flows.ndjson', './data/../data/flows.ndjson') // true
 */
export function sameFile(a: string, b: string): boolean {
  if (realPath(a) === realPath(b)) return true;
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/**
 * True when `inner` lies inside the directory `outer` (at any depth), with real paths compared as in
 * {@link sameFile} (spellings and symbolic links resolved); false for the same path. Reads the file
 * system; never throws.
 * @example isInside('out/pairs.ndjson', 'out/pairs.ndjson/part-0-000000000001.ndjson') // true
 */
export function isInside(outer: string, inner: string): boolean {
  const rel = relative(realPath(outer), realPath(inner));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${'/'}`) && !isAbsolute(rel);
}

/** The real path of `path` (of a dangling link's target), or of its nearest existing ancestor joined with the rest. */
function realPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const target = danglingTarget(absolute);
    if (target !== undefined) return realPath(target);
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(realPath(parent), basename(absolute));
  }
}

/** A dangling link's target (see danglingLinkTarget), or undefined (also for a loop of links: never throws). */
function danglingTarget(path: string): string | undefined {
  try {
    return danglingLinkTarget(path);
  } catch {
    return undefined;
  }
}
