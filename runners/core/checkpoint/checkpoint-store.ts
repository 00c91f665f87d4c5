/**
 * Durable named blobs: where checkpoints, commit markers and the job file live. Framing, checksums
 * and retention live above it (CheckpointRepository), so another store (a Kafka topic, an object
 * store) only implements these calls.
 *
 * Names are slash-separated relative paths such as `checkpoints/ck-000000000042`; each part starts
 * with a letter or digit and holds only letters, digits, `.`, `_` and `-`.
 *
 * @example
 * await store.put('commits/ck-000000000042', [Buffer.from('{"seq":42}')]);
 * await store.list('commits/'); // ['commits/ck-000000000042']
 */
export interface CheckpointStore {
  /** Where the blobs are, for messages (e.g. the directory). */
  readonly location: string;
  /**
   * Stores the concatenation of `parts` under `name`, replacing what was there. Atomic: after it
   * resolves the blob is complete and durable; a crash during `put` leaves either the old state or
   * the complete new blob, never a partial one. Rejects with the store's own error on failure.
   */
  put(name: string, parts: readonly Uint8Array[]): Promise<void>;
  /** The blob, or undefined when there is none. */
  get(name: string): Promise<Buffer | undefined>;
  /** The names that start with `prefix` and lie directly in its folder, sorted ascending. */
  list(prefix: string): Promise<string[]>;
  /** Removes the blob; removing one that is not there is not an error. */
  delete(name: string): Promise<void>;
}

const PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Checks a blob name (see CheckpointStore).
 * @throws RangeError for an empty, absolute or hidden name, or one with `..` or other characters.
 */
export function checkBlobName(name: string): string {
  if (!name.split('/').every((p) => PART.test(p))) throw new RangeError(`invalid checkpoint blob name ${JSON.stringify(name)}`);
  return name;
}
