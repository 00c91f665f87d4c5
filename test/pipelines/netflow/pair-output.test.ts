import { describe, expect, it } from 'vitest';
import { formatPairOutput } from '../../../pipelines/netflow/pair-output.js';

describe('formatPairOutput', () => {
  const pair = { eventid_1: '151852746453199', ts_flow1: 1495466510792, eventid_2: '18446744073709551615', ts_flow2: 1495466511125, distance: 12322.94295207115 };

  it('writes the original output members in order, ids as exact strings', () => {
    const text = formatPairOutput(pair, 1495466520212);
    expect(text).toBe(
      '{"eventid_1":"151852746453199","ts_flow1":1495466510792,"eventid_2":"18446744073709551615","ts_flow2":1495466511125,"distance":12322.94295207115,"ts_output":1495466520212}',
    );
    expect(JSON.parse(text)).toEqual({ ...pair, ts_output: 1495466520212 });
  });

  it('refuses a non-finite distance', () => {
    expect(() => formatPairOutput({ ...pair, distance: Number.NaN }, 0)).toThrow(RangeError);
  });
});
