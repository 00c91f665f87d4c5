import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { StateEntry } from '../../runners/core/checkpoint/codecs/state-codec.js';
import { windowStateCodec } from '../../runners/core/checkpoint/codecs/window-state-codec.js';
import type { WindowState } from '../../runners/core/driver/window-driver.js';
import { DEFAULT_KEY_GROUPS, keyGroupOf } from '../../runners/core/state/key-groups.js';
import { encodeKey, type StateKey } from '../../sdk/kv.js';
import { DefaultTrigger } from '../../sdk/triggers/default-trigger.js';
import { intervalWindow } from '../../sdk/window.js';

// Size, not speed: speed belongs in bench/. The 1 M case is the design's sizing case (issue #13):
// Count.perKey-like state, one (key, window) entry per key, as the WindowDriver keeps it.
const window = intervalWindow(1_700_000_000_000, 1_700_000_003_000);
const trigger = DefaultTrigger();

function countState(key: unknown, i: number): WindowState {
  return {
    w: window,
    k: key,
    acc: 1 + (i % 50),
    n: 1 + (i % 50),
    trig: trigger.init(), // a fresh object per window, as the driver makes it
    pane: 0,
    nonSpec: 0,
    onTime: false,
    closed: false,
    outTs: window.maxTimestamp,
    hold: window.maxTimestamp,
    et: [window.maxTimestamp],
    pt: [],
    et0: window.maxTimestamp,
  };
}

/** Encodes `count` keys split by key group, one segment per group as a checkpoint stores them. */
function encodeByKeyGroup(count: number, keyOf: (i: number) => unknown) {
  const groupOf = new Uint8Array(count);
  const sizes = new Array<number>(DEFAULT_KEY_GROUPS).fill(0);
  for (let i = 0; i < count; i++) sizes[(groupOf[i] = keyGroupOf(encodeKey(keyOf(i))))]!++;
  const members: number[][] = sizes.map(() => []);
  for (let i = 0; i < count; i++) members[groupOf[i]!]!.push(i);
  const entriesOf = (g: number): StateEntry<WindowState>[] => members[g]!.map((i) => [encodeKey(keyOf(i)) as StateKey, window.id, countState(keyOf(i), i)]);
  let bytes = 0;
  const segments: Buffer[] = [];
  for (let g = 0; g < DEFAULT_KEY_GROUPS; g++) {
    const seg = windowStateCodec.encode(entriesOf(g));
    bytes += seg.length;
    segments.push(seg);
  }
  return { bytes, segments, entriesOf, sizes };
}

describe('window-state/v1 at scale', () => {
  it('encodes 1 M number-keyed window states (IPv4 keys) in at most 30 bytes per key, and decodes them exactly', () => {
    const n = 1_000_000;
    const { bytes, segments, entriesOf, sizes } = encodeByKeyGroup(n, (i) => 0x0a000000 + i);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
    expect(bytes / n).toBeLessThan(30);
    expect(bytes / n).toBeGreaterThan(20); // key, count and accumulator are really stored
    let decoded = 0;
    for (let g = 0; g < DEFAULT_KEY_GROUPS; g++) {
      const back = windowStateCodec.decode(segments[g]!);
      decoded += back.length;
      if (g % 32 === 0) expect(isDeepStrictEqual(back, entriesOf(g))).toBe(true);
    }
    expect(decoded).toBe(n);
  }, 120_000);

  it('encodes 100 k string-keyed window states ("10.a.b.c") in at most 40 bytes per key', () => {
    const n = 100_000;
    const { bytes } = encodeByKeyGroup(n, (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect(bytes / n).toBeLessThan(40);
  }, 60_000);
});
