import { parseIpv4 } from '../ipv4.js';

/**
 * Turns one sensor address into the Netflow event's address members for side `side`:
 * a dotted IPv4 becomes `{ <side>_ip4: <uint32>, <side>_ip: <dotted> }`; an IPv6 address (any
 * text with `:`) becomes `{ <side>_ip6: <text> }`, which `parseFlow` rejects as `ipv6`; anything
 * else is passed on unchanged as `<side>_ip4` so that `parseFlow` rejects it as `invalid-ip`
 * (or `missing-field` when absent). Never throws.
 * @example addressMembers('src', '10.0.0.1') // { src_ip4: 167772161, src_ip: '10.0.0.1' }
 * @example addressMembers('dst', 'fe80::1')  // { dst_ip6: 'fe80::1' }
 */
export function addressMembers(side: 'src' | 'dst', address: unknown): Record<string, unknown> {
  if (typeof address === 'string') {
    if (address.includes(':')) return { [`${side}_ip6`]: address };
    const value = parseIpv4(address.trim());
    if (value !== undefined) return { [`${side}_ip4`]: value, [`${side}_ip`]: address.trim() };
  }
  return address === undefined ? {} : { [`${side}_ip4`]: address };
}
