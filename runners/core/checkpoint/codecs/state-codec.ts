import type { StateKey } from '../../../../sdk/kv.js';

/** One entry of a keyed state table: encoded key, namespace (usually a window id), value. */
export type StateEntry<V = unknown> = [key: StateKey, ns: string, value: V];

/**
 * Turns the entries of one keyed state table (or of one key group of it) into bytes and back.
 *
 * `decode(encode(entries))` gives entries equal to the input (same keys, namespaces and values, in
 * the same order, judged by `util.isDeepStrictEqual`); the bytes need not be the same from one
 * encoding to the next, and nothing compares them. The codec's `name` is stored with every segment,
 * so the reader picks the codec that wrote it.
 *
 * @example
 * const bytes = v8Codec.encode([['a', 'w1', { n: 1 }]]);
 * v8Codec.decode(bytes); // [['a', 'w1', { n: 1 }]]
 */
export interface StateCodec<V = unknown> {
  /** The codec and its layout version, e.g. `v8/v1`. */
  readonly name: string;
  encode(entries: readonly StateEntry<V>[]): Buffer;
  /** @throws StateCodecError when the bytes are not what this codec writes. */
  decode(bytes: Uint8Array): StateEntry<V>[];
}

/**
 * Bytes a codec cannot decode. The checkpoint reader turns it into a CorruptCheckpointError naming the
 * checkpoint and segment (checksums are verified first, so this means a bug or a foreign writer).
 */
export class StateCodecError extends Error {
  constructor(codec: string, message: string, options?: { cause?: unknown }) {
    super(`${codec}: ${message}`, options);
    this.name = 'StateCodecError';
  }
}

/** True for a valid encoded state key (see `encodeKey`). */
export function isStateKey(k: unknown): k is StateKey {
  return k === null || typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean';
}
