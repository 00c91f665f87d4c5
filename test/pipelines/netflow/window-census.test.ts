import { describe, expect, it } from 'vitest';
import { windowCensus } from '../../../pipelines/netflow/window-census.js';
import { flow } from './test-records.js';

describe('windowCensus', () => {
  it('counts records and pairs per source IP and window', () => {
    const records = [
      ...Array.from({ length: 4 }, () => flow({ src_ip4: 1, eventtime: 1490024700.5 })), // 6 pairs
      ...Array.from({ length: 3 }, () => flow({ src_ip4: 2, eventtime: 1490024701 })), // 3 pairs
      flow({ src_ip4: 1, eventtime: 1490024703 }), // next window, alone
    ];
    const census = windowCensus(records);
    expect(census).toEqual({
      groups: new Map([['1@1490024700000', 4], ['2@1490024700000', 3], ['1@1490024703000', 1]]),
      records: 8,
      pairs: 9,
      largestGroup: 4,
    });
    expect(windowCensus(records, 10_000).pairs).toBe(10 + 3);
  });

  it('is empty for no records', () => {
    expect(windowCensus([])).toEqual({ groups: new Map(), records: 0, pairs: 0, largestGroup: 0 });
  });
});
