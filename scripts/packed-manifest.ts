/**
 * The package.json that goes into the tarball (see ./pack-manifest.ts, which writes it for `npm pack`).
 */

/** Dependencies of this repository's own scripts that a user of the package must not get. */
export const REPOSITORY_ONLY_DEPENDENCIES = ['node'] as const;

export type Manifest = Record<string, unknown>;

/** `record` without `names`, or undefined when nothing is left. */
function without(record: unknown, names: readonly string[]): Record<string, unknown> | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  const kept = Object.entries(record).filter(([name]) => !names.includes(name));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/**
 * The manifest as packed: `pkg` without {@link REPOSITORY_ONLY_DEPENDENCIES} in `optionalDependencies`
 * and `allowScripts` (each field dropped when it becomes empty); everything else, in its order, as it was.
 * @example packedManifest({ name: 'watershed', optionalDependencies: { node: '24.21.0' } }) // { name: 'watershed' }
 */
export function packedManifest(pkg: Manifest): Manifest {
  const packed: Manifest = {};
  for (const [field, value] of Object.entries(pkg)) {
    if (field === 'optionalDependencies' || field === 'allowScripts') {
      const kept = without(value, REPOSITORY_ONLY_DEPENDENCIES);
      if (kept !== undefined) packed[field] = kept;
    } else {
      packed[field] = value;
    }
  }
  return packed;
}
