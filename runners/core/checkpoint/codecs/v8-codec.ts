import { deserialize, serialize } from 'node:v8';
import { isStateKey, StateCodecError, type StateCodec, type StateEntry } from './state-codec.js';

/**
 * `v8/v1`: the entries as one `v8.serialize` of `[[key, ns, value], …]`.
 *
 * This is the faithful encoding of the state contract ("values are structured-cloneable"): it keeps
 * ±Infinity, NaN, -0, `undefined` (also as an object field), bigint, Map, Set, Date, RegExp, typed
 * arrays, and shared or cyclic references within one segment. Like `structuredClone`, it drops
 * prototypes (class instances come back as plain objects) and rejects functions and symbols. Node
 * documents the format as backward compatible, so checkpoints stay readable on later Node versions.
 * Used for every table without a columnar codec (user state, GroupByKey lists, operator snapshots).
 *
 * @example v8Codec.decode(v8Codec.encode([['k', 'w', new Map([[1, Infinity]])]]))
 * @throws DataCloneError (from V8) in `encode` for a value that cannot be cloned, e.g. a function.
 */
export const v8Codec: StateCodec = {
  name: 'v8/v1',

  encode(entries: readonly StateEntry[]): Buffer {
    return serialize(entries);
  },

  decode(bytes: Uint8Array): StateEntry[] {
    let out: unknown;
    try {
      out = deserialize(bytes);
    } catch (e) {
      throw new StateCodecError('v8/v1', `cannot deserialize: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (!Array.isArray(out)) throw new StateCodecError('v8/v1', 'not a list of entries');
    for (let i = 0; i < out.length; i++) {
      const e: unknown = out[i];
      if (!Array.isArray(e) || e.length !== 3 || !isStateKey(e[0]) || typeof e[1] !== 'string') {
        throw new StateCodecError('v8/v1', `entry ${i} is not [key, namespace, value]`);
      }
    }
    return out as StateEntry[];
  },
};
