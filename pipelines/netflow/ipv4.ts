/**
 * IPv4 addresses as unsigned 32-bit integers, the form the Netflow events carry in
 * `src_ip4` / `dst_ip4` (e.g. `10.5.0.4` is `168099844`, `255.255.255.255` is `4294967295`).
 */

/** The largest IPv4 address as an unsigned integer (`255.255.255.255`). */
export const IPV4_MAX = 0xffff_ffff;

const OCTET = /^(?:0|[1-9]\d{0,2})$/;

/**
 * Parses a dotted-quad IPv4 address into its unsigned 32-bit value, or `undefined` when the text
 * is not exactly four decimal octets 0..255 (leading zeros, signs, spaces and IPv6 are refused).
 * @example parseIpv4('10.5.0.4') // 168099844
 * @example parseIpv4('fe80::1')  // undefined
 */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/**
 * Like {@link parseIpv4}, but throws for invalid input.
 * @throws RangeError when `text` is not a dotted-quad IPv4 address.
 * @example ipv4ToInt('255.255.255.255') // 4294967295
 */
export function ipv4ToInt(text: string): number {
  const value = parseIpv4(text);
  if (value === undefined) throw new RangeError(`not an IPv4 address: ${JSON.stringify(text)}`);
  return value;
}

/** True when `n` is an integer in 0..2^32-1, i.e. a valid unsigned IPv4 value. */
export function isIpv4Int(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= IPV4_MAX;
}

/**
 * Formats an unsigned 32-bit value as a dotted quad.
 * @throws RangeError when `n` is not an integer in 0..2^32-1.
 * @example intToIpv4(168099844) // '10.5.0.4'
 */
export function intToIpv4(n: number): string {
  if (!isIpv4Int(n)) throw new RangeError(`not an unsigned 32-bit IPv4 value: ${n}`);
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
