import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intToIpv4, ipv4ToInt, IPV4_MAX, isIpv4Int, parseIpv4 } from '../../../pipelines/netflow/ipv4.js';

describe('ipv4', () => {
  it('converts the original event addresses', () => {
    expect(ipv4ToInt('10.5.0.4')).toBe(168099844);
    expect(ipv4ToInt('255.255.255.255')).toBe(4294967295);
    expect(ipv4ToInt('0.0.0.0')).toBe(0);
    expect(intToIpv4(168099844)).toBe('10.5.0.4');
    expect(intToIpv4(IPV4_MAX)).toBe('255.255.255.255');
  });

  it('round-trips every unsigned 32-bit value', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: IPV4_MAX }), (n) => ipv4ToInt(intToIpv4(n)) === n));
  });

  it('round-trips every dotted quad', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), (parts) => intToIpv4(ipv4ToInt(parts.join('.'))) === parts.join('.')),
    );
  });

  it.each(['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.-4', ' 1.2.3.4', 'fe80::1', '', 'a.b.c.d', '1..2.3'])(
    'refuses %j',
    (text) => {
      expect(parseIpv4(text)).toBeUndefined();
      expect(() => ipv4ToInt(text)).toThrow(RangeError);
    },
  );

  it.each([-1, 2 ** 32, 1.5, Number.NaN])('refuses the value %d', (n) => {
    expect(isIpv4Int(n)).toBe(false);
    expect(() => intToIpv4(n)).toThrow(RangeError);
  });
});
