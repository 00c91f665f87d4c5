/**
 * Paths that name a descriptor of the process rather than a file: `/dev/stdin`, `/dev/stdout`, `/dev/stderr`,
 * `/dev/fd/<n>` and `/proc/self/fd/<n>`. Internal to the package.
 */

/**
 * The descriptor number a path names, or undefined for any other path.
 * @example descriptorOf('/dev/stdout') // 1
 * @example descriptorOf('/dev/fd/7') // 7
 * @example descriptorOf('out/pairs.ndjson') // undefined
 */
export function descriptorOf(path: string): number | undefined {
  if (path === '/dev/stdin') return 0;
  if (path === '/dev/stdout') return 1;
  if (path === '/dev/stderr') return 2;
  const m = /^\/(?:dev\/fd|proc\/self\/fd)\/(\d+)$/.exec(path);
  return m ? Number(m[1]) : undefined;
}
