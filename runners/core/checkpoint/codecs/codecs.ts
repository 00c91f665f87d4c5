import type { StateCodec } from './state-codec.js';
import { v8Codec } from './v8-codec.js';
import { windowStateCodec } from './window-state-codec.js';

/**
 * Every codec a checkpoint segment may name, by name. A name is never reused for another layout: a
 * new layout gets a new name (e.g. `window-state/v2`) and the old one stays readable.
 * @example codecNamed('v8/v1') // v8Codec
 */
const CODECS: ReadonlyMap<string, StateCodec> = new Map<string, StateCodec>([
  [v8Codec.name, v8Codec],
  [windowStateCodec.name, windowStateCodec as unknown as StateCodec],
]);

/** The codec called `name`, or undefined when this version of Watershed does not know it. */
export function codecNamed(name: string): StateCodec | undefined {
  return CODECS.get(name);
}

/** The codec for a state table: the columnar one for a WindowDriver's `windows` table, `v8/v1` otherwise. */
export function codecForTable(table: string): StateCodec {
  return table === 'windows' ? (windowStateCodec as unknown as StateCodec) : v8Codec;
}
