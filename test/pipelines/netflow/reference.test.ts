import { describe, expect, it } from 'vitest';
import { normalizePair, referencePairs } from '../../../pipelines/netflow/reference.js';
import { keyWindowId } from '../../../pipelines/netflow/tumbling-window.js';
import { flow } from './test-records.js';

const W = 1490024700000; // a multiple of 3000 ms
const IP1 = 167772161; // 10.0.0.1
const IP2 = 167772162; // 10.0.0.2

// traffic features (duration, in_bytes, in_packets, out_bytes, out_packets)
const a = flow({ eventid: 'a', src_ip4: IP1, eventtime: 1490024700.0, in_bytes: 100, in_packets: 1 }); // (0,100,1,0,0)
const b = flow({ eventid: 'b', src_ip4: IP1, eventtime: 1490024701.5, in_bytes: 103, in_packets: 1, out_bytes: 4 }); // (0,103,1,4,0)
const c = flow({ eventid: 'c', src_ip4: IP1, eventtime: 1490024702.999, duration: 1, in_bytes: 100, in_packets: 1 }); // (1,100,1,0,0)
const d = flow({ eventid: 'd', src_ip4: IP1, eventtime: 1490024703.0 }); // next window
const e = flow({ eventid: 'e', src_ip4: IP2, eventtime: 1490024701, in_bytes: 100, in_packets: 1 }); // (0,100,1,0,0)
const f = flow({ eventid: 'f', src_ip4: IP2, eventtime: 1490024702, in_bytes: 106, in_packets: 9 }); // (0,106,9,0,0)

describe('referencePairs', () => {
  it('computes the hand-worked example, whatever the input order', () => {
    const result = referencePairs([c, f, a, d, b, e]);
    expect([...result.keys()]).toEqual([keyWindowId(IP1, W), keyWindowId(IP1, W + 3000), keyWindowId(IP2, W)]);
    expect(result.get(keyWindowId(IP1, W))).toEqual([
      // a-b: differences (0,3,0,4,0) → 5; a-c: (1,0,0,0,0) → 1; b-c: (1,3,0,4,0) → sqrt(26)
      { eventid_1: 'a', ts_flow1: W, eventid_2: 'b', ts_flow2: W + 1500, distance: 5 },
      { eventid_1: 'a', ts_flow1: W, eventid_2: 'c', ts_flow2: W + 2999, distance: 1 },
      { eventid_1: 'b', ts_flow1: W + 1500, eventid_2: 'c', ts_flow2: W + 2999, distance: Math.sqrt(26) },
    ]);
    expect(result.get(keyWindowId(IP1, W + 3000))).toEqual([]);
    // e-f: differences (0,6,8,0,0) → 10
    expect(result.get(keyWindowId(IP2, W))).toEqual([{ eventid_1: 'e', ts_flow1: W + 1000, eventid_2: 'f', ts_flow2: W + 2000, distance: 10 }]);
    expect(referencePairs([a, b, c, d, e, f])).toEqual(result);
  });

  it('uses the features, scaling and window size given', () => {
    const byBytes = referencePairs([a, b, c], { features: ['in_bytes'] });
    expect(byBytes.get(keyWindowId(IP1, W))!.map((p) => p.distance)).toEqual([3, 0, 3]);
    const scaled = referencePairs([a, b], { features: ['in_bytes'], scaling: { divisors: { in_bytes: 3 } } });
    expect(scaled.get(keyWindowId(IP1, W))![0].distance).toBeCloseTo(1, 12);
    const oneSecond = referencePairs([a, b, c, d], { windowSizeMs: 1000 });
    expect([...oneSecond.keys()]).toEqual([W, W + 1000, W + 2000, W + 3000].map((w) => keyWindowId(IP1, w)));
  });

  it('breaks event-time ties by eventid', () => {
    const x = flow({ eventid: 'x', in_bytes: 1 });
    const y = flow({ eventid: 'y', in_bytes: 2 });
    expect(referencePairs([y, x]).get(keyWindowId(IP1, W))![0]).toMatchObject({ eventid_1: 'x', eventid_2: 'y' });
  });
});

describe('normalizePair', () => {
  it('puts the earlier event first, then the smaller id', () => {
    const p = { eventid_1: 'b', ts_flow1: 2, eventid_2: 'a', ts_flow2: 1, distance: 3 };
    expect(normalizePair(p)).toEqual({ eventid_1: 'a', ts_flow1: 1, eventid_2: 'b', ts_flow2: 2, distance: 3 });
    expect(normalizePair({ ...p, ts_flow2: 2 })).toEqual({ eventid_1: 'a', ts_flow1: 2, eventid_2: 'b', ts_flow2: 2, distance: 3 });
    const ordered = { eventid_1: 'a', ts_flow1: 1, eventid_2: 'b', ts_flow2: 2, distance: 3 };
    expect(normalizePair(ordered)).toBe(ordered);
  });
});
