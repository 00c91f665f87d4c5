import { lstatSync, readlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Links followed at most, as the kernel does (then ELOOP). */
const MAX_LINKS = 40;

/**
 * Where a file written at `path` belongs when `path` is a dangling symbolic link (its target, or the
 * end of its chain of links, does not exist yet): that target, each link resolved against its own
 * folder, so the file is made there and the link kept, as a shell's `>` does. Undefined when `path`
 * is not a symbolic link (nothing there, a file, a folder). Reads the file system (lstat, readlink).
 * @throws an Error with code ELOOP after 40 links; the file system's error other than ENOENT/ENOTDIR.
 * @example danglingLinkTarget('out/latest.ndjson') // '/data/runs/7.ndjson' when the link points there and it does not exist
 */
export function danglingLinkTarget(path: string): string | undefined {
  let at = resolve(path);
  for (let hops = 0; ; hops++) {
    if (!isSymbolicLink(at)) return hops === 0 ? undefined : at;
    if (hops === MAX_LINKS) throw Object.assign(new Error(`${path}: too many levels of symbolic links`), { code: 'ELOOP' });
    at = resolve(dirname(at), readlinkSync(at));
  }
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw e;
  }
}
