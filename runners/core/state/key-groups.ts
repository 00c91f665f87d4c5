import type { StateKey } from '../../../sdk/kv.js';

/**
 * Key groups: the unit in which keyed state is split, written and restored.
 *
 * Every encoded key belongs to exactly one of a fixed number of groups (128 by default), chosen by a
 * stable hash of the key. A checkpoint stores its state one segment per (step, table, key group), so a
 * later run with several workers restores only the groups it owns without rewriting the checkpoint
 * (the same idea as Flink's key groups and maximum parallelism). The hash and the group count are
 * part of the checkpoint format (`keyHash` and `keyGroups` in the manifest): changing either means
 * rewriting every checkpoint, so they never change within format version 1.
 *
 * Keys are hashed only when a snapshot is written or read, never per element.
 *
 * @example keyGroupOf(encodeKey('10.0.0.1')) // a number in 0..127, the same in every run and process
 */

/** Number of key groups a job uses unless it says otherwise. */
export const DEFAULT_KEY_GROUPS = 128;

/** The largest group count allowed (Flink's limit for maximum parallelism, too). */
export const MAX_KEY_GROUPS = 32_768;

/** Names the hash below in manifests; a different hash would need a new name. */
export const KEY_HASH = 'murmur3-32/v1';

/**
 * MurmurHash3, x86 32-bit variant, over `bytes` (little-endian blocks of 4), as an unsigned 32-bit number.
 * @example murmur3x86_32(new TextEncoder().encode('abc')) // 0xb3dd93fa
 */
export function murmur3x86_32(bytes: Uint8Array, length = bytes.length, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed | 0;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= bytes[blocks + 2]! << 16;
    if (rest >= 2) k ^= bytes[blocks + 1]! << 8;
    k ^= bytes[blocks]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The string a key is hashed as: `'s'` + the string, `'n'` + `String(n)` (so -0 and 0 agree),
 * `'t'` / `'f'` for booleans, `'z'` for null. Encoded object keys are strings, so they hash as strings.
 */
export function canonicalKeyString(key: StateKey): string {
  switch (typeof key) {
    case 'string':
      return 's' + key;
    case 'number':
      return 'n' + String(key);
    case 'boolean':
      return key ? 't' : 'f';
    default:
      return 'z';
  }
}

let scratch = Buffer.allocUnsafe(256);

/**
 * The key group of an encoded key: murmur3 x86_32 (seed 0) of the UTF-8 bytes of its canonical string,
 * modulo `groups`.
 * @throws RangeError when `groups` is not an integer in 1..32768.
 * @example keyGroupOf('a') // 62
 */
export function keyGroupOf(key: StateKey, groups: number = DEFAULT_KEY_GROUPS): number {
  if (!Number.isInteger(groups) || groups < 1 || groups > MAX_KEY_GROUPS) {
    throw new RangeError(`key group count must be an integer in 1..${MAX_KEY_GROUPS}, got ${groups}`);
  }
  const s = canonicalKeyString(key);
  if (s.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(s.length * 3);
  const n = scratch.write(s, 0, 'utf8');
  return murmur3x86_32(scratch, n) % groups;
}
