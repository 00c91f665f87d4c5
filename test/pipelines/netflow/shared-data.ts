import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The shared real-traffic samples live beside the repository, in `<repo>/../shared/data/`
 * (GPL data, never copied into the repo). This file is `<repo>/test/pipelines/netflow/shared-data.ts`.
 * `WATERSHED_SHARED_DATA=<dir>` points elsewhere (a git worktree that is not beside `shared/`).
 */
export const SHARED_DATA_DIR = process.env['WATERSHED_SHARED_DATA']
  ? process.env['WATERSHED_SHARED_DATA'].replace(/\/?$/, '/')
  : fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

/**
 * The absolute path of one shared data file.
 * @throws Error naming the expected location when the file is not there.
 * @example sharedDataFile('zeek-conn-mixed.log')
 */
export function sharedDataFile(name: string): string {
  const path = SHARED_DATA_DIR + name;
  if (!existsSync(path)) throw new Error(`shared data file not found: ${path} (expected beside the repo, in ../shared/data)`);
  return path;
}
