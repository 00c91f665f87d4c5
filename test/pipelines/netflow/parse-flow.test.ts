import { describe, expect, it } from 'vitest';
import { parseFlow, REJECT_REASONS, type RejectReason } from '../../../pipelines/netflow/parse-flow.js';

/** The example event of the original write-up (typographic quotes replaced). */
const SEED_EVENT = {
  eventid: 995491697672682, dvc_version: '3.2', aproto: 'failed', src_ip4: 168099844, dst_ip4: 4294967295,
  eventtime: 1490024708, out_packets: 1, type: 'flow', dvc_time: 1490024739, dst_ip: '', src_ip: '',
  duration: 0, in_bytes: 0, conn_state: 'new', '@version': '1', out_bytes: 157, dvc_type: 'suricata',
  in_packets: 0, nproto: 'UDP', src_port: 42126, '@timestamp': '2017-03-20T15:45:08.000Z', dst_port: 40237,
  category: 'informational',
};

const rejectOf = (raw: string | object) => {
  const r = parseFlow(raw);
  return r.ok ? 'ok' : r.reason;
};

describe('parseFlow', () => {
  it('parses the original example event', () => {
    const r = parseFlow(JSON.stringify(SEED_EVENT));
    expect(r).toEqual({
      ok: true,
      record: {
        eventid: '995491697672682', src_ip4: 168099844, dst_ip4: 4294967295, src_port: 42126, dst_port: 40237,
        duration: 0, in_bytes: 0, in_packets: 0, out_bytes: 157, out_packets: 1, eventtime: 1490024708,
        nproto: 'UDP', src_ip: '10.5.0.4', dst_ip: '255.255.255.255', dvc_type: 'suricata',
      },
    });
  });

  it('accepts the case-class form: every value a string, addresses as integers or dotted quads', () => {
    const r = parseFlow({
      eventid: '995491697672682', src_ip4: '168099844', dst_ip4: '255.255.255.255', src_port: '42126',
      dst_port: ' 40237 ', duration: '0.25', in_bytes: '0', in_packets: '0', out_bytes: '1.57e2',
      out_packets: '1', eventtime: '1490024708.5', nproto: 'UDP',
    });
    expect(r.ok && r.record).toMatchObject({
      src_ip4: 168099844, dst_ip4: 4294967295, dst_port: 40237, duration: 0.25, out_bytes: 157, eventtime: 1490024708.5,
    });
  });

  it('falls back to a dotted src_ip / dst_ip when src_ip4 / dst_ip4 are absent', () => {
    const { src_ip4: _s, dst_ip4: _d, ...rest } = SEED_EVENT;
    const r = parseFlow({ ...rest, src_ip: '10.5.0.4', dst_ip: '10.5.0.5' });
    expect(r.ok && [r.record.src_ip4, r.record.dst_ip4]).toEqual([168099844, 168099845]);
  });

  it('keeps all digits of ids above 2^53 when given JSON text', () => {
    const text = JSON.stringify({ ...SEED_EVENT, eventid: 0 }).replace('"eventid":0', '"eventid":632948446000000000');
    const r = parseFlow(text);
    expect(r.ok && r.record.eventid).toBe('632948446000000000');
  });

  it('keeps the unset list a reader attached', () => {
    const r = parseFlow({ ...SEED_EVENT, unset_fields: ['out_bytes', 'bogus', 'duration'] });
    expect(r.ok && r.record.unset).toEqual(['duration', 'out_bytes']);
  });

  const cases: Array<[RejectReason, string | object]> = [
    ['malformed-json', '{"eventid":1,'],
    ['malformed-json', '[1,2]'],
    ['ipv6', { ...SEED_EVENT, src_ip6: 'fe80::1' }],
    ['ipv6', { ...SEED_EVENT, src_ip: '2001:db8::1' }],
    ['ipv6', { ...SEED_EVENT, dst_ip6: '::1', src_ip4: undefined }],
    ['missing-field', { ...SEED_EVENT, eventid: undefined }],
    ['missing-field', { ...SEED_EVENT, in_bytes: '' }],
    ['missing-field', { ...SEED_EVENT, nproto: null }],
    ['missing-field', { ...SEED_EVENT, src_ip4: undefined }],
    ['non-numeric-field', { ...SEED_EVENT, in_bytes: 'n/a' }],
    ['non-numeric-field', { ...SEED_EVENT, duration: '0x10' }],
    ['non-numeric-field', { ...SEED_EVENT, eventtime: true }],
    ['negative-count', { ...SEED_EVENT, out_packets: -1 }],
    ['negative-count', { ...SEED_EVENT, duration: '-0.5' }],
    ['out-of-range', { ...SEED_EVENT, dst_port: 65536 }],
    ['out-of-range', { ...SEED_EVENT, src_port: 1.5 }],
    ['out-of-range', { ...SEED_EVENT, eventtime: -1 }],
    // ranges (issue #12): counts whole numbers up to 2^53 - 1, durations up to ten years, event times 1970..2100
    ['out-of-range', { ...SEED_EVENT, in_bytes: 2e154 }],
    ['out-of-range', { ...SEED_EVENT, out_bytes: '9007199254740992' }],
    ['out-of-range', { ...SEED_EVENT, in_packets: 1.5 }],
    ['out-of-range', { ...SEED_EVENT, duration: 1e12 }],
    ['out-of-range', { ...SEED_EVENT, eventtime: 1490024708000 }],
    ['out-of-range', { ...SEED_EVENT, eventtime: '4102444800' }],
    ['non-numeric-field', { ...SEED_EVENT, out_bytes: '1e400' }],
    ['non-numeric-field', '{"eventid":1,"src_ip4":1,"dst_ip4":2,"src_port":1,"dst_port":2,"duration":0,"in_bytes":1e400,"in_packets":0,"out_bytes":0,"out_packets":0,"eventtime":1490024708,"nproto":"UDP"}'],
    ['invalid-ip', { ...SEED_EVENT, src_ip4: 4294967296 }],
    ['invalid-ip', { ...SEED_EVENT, dst_ip4: '10.0.0.256' }],
    ['invalid-ip', { ...SEED_EVENT, dst_ip4: -5 }],
    ['invalid-text-field', { ...SEED_EVENT, eventid: 1.5 }],
    ['invalid-text-field', { ...SEED_EVENT, nproto: 17 }],
  ];
  it.each(cases)('rejects as %s: %j', (reason, raw) => {
    expect(rejectOf(raw)).toBe(reason);
  });

  it('reaches every reason and names the field in the detail', () => {
    expect(new Set(cases.map(([reason]) => reason))).toEqual(new Set(REJECT_REASONS));
    const r = parseFlow({ ...SEED_EVENT, in_bytes: 'n/a' });
    expect(r).toEqual({ ok: false, reason: 'non-numeric-field', detail: 'in_bytes is "n/a"' });
  });

  it('names the field and the bound of an out-of-range value', () => {
    expect(parseFlow({ ...SEED_EVENT, in_bytes: 2e154 })).toEqual({ ok: false, reason: 'out-of-range', detail: 'in_bytes is 2e+154, above 9007199254740991' });
    expect(parseFlow({ ...SEED_EVENT, eventtime: 1490024708000 })).toEqual({ ok: false, reason: 'out-of-range', detail: 'eventtime 1490024708000 s is outside 1970..2100 (0..4102444800 s)' });
    expect(parseFlow({ ...SEED_EVENT, in_bytes: Number.MAX_SAFE_INTEGER, duration: 86_400 * 365 * 10, eventtime: 0 })).toMatchObject({ ok: true });
  });

  it('checks IPv6 before anything else (an IPv6 event has no src_ip4)', () => {
    expect(rejectOf('{"src_ip6":"fe80::1"}')).toBe('ipv6');
  });
});
