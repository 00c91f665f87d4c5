import { describe, expect, it } from 'vitest';
import { keyWindowId, NETFLOW_WINDOW_MS, tumblingWindowStart } from '../../../pipelines/netflow/tumbling-window.js';

describe('tumblingWindowStart', () => {
  it('aligns to multiples of the window size, [start, start + size)', () => {
    expect(NETFLOW_WINDOW_MS).toBe(3000);
    expect(tumblingWindowStart(1490024706000)).toBe(1490024706000);
    expect(tumblingWindowStart(1490024708999)).toBe(1490024706000);
    expect(tumblingWindowStart(1490024709000)).toBe(1490024709000);
    expect(tumblingWindowStart(-1, 3000)).toBe(-3000);
  });

  it('refuses sizes that are not positive integers', () => {
    expect(() => tumblingWindowStart(0, 0)).toThrow(RangeError);
    expect(() => tumblingWindowStart(0, 1.5)).toThrow(RangeError);
  });

  it('names a key and window', () => {
    expect(keyWindowId(167772161, 1490024706000)).toBe('167772161@1490024706000');
  });
});
