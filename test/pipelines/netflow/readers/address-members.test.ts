import { describe, expect, it } from 'vitest';
import { addressMembers } from '../../../../pipelines/netflow/readers/address-members.js';

describe('addressMembers', () => {
  it('maps dotted IPv4 to the integer and dotted members', () => {
    expect(addressMembers('src', '10.0.0.1')).toEqual({ src_ip4: 167772161, src_ip: '10.0.0.1' });
  });
  it('marks IPv6 so that parseFlow drops it', () => {
    expect(addressMembers('dst', 'fe80::1')).toEqual({ dst_ip6: 'fe80::1' });
  });
  it('passes anything else on for parseFlow to reject', () => {
    expect(addressMembers('src', 'garbage')).toEqual({ src_ip4: 'garbage' });
    expect(addressMembers('src', undefined)).toEqual({});
  });
});
