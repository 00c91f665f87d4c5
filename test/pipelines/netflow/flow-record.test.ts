import { describe, expect, it } from 'vitest';
import { eventTimeMillis } from '../../../pipelines/netflow/flow-record.js';

describe('eventTimeMillis', () => {
  it('converts whole and fractional seconds to floored milliseconds', () => {
    expect(eventTimeMillis({ eventtime: 1490024708 })).toBe(1490024708000);
    expect(eventTimeMillis({ eventtime: 1490024708.5 })).toBe(1490024708500);
    expect(eventTimeMillis({ eventtime: 1655071209.953394 })).toBe(1655071209953);
  });

  it('is not fooled by binary fractions just below a millisecond', () => {
    expect(1.001 * 1000).toBeLessThan(1001);
    expect(eventTimeMillis({ eventtime: 1.001 })).toBe(1001);
    expect(eventTimeMillis({ eventtime: 1664462456.001 })).toBe(1664462456001);
  });
});
