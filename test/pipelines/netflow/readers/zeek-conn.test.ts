import { describe, expect, it } from 'vitest';
import { parseFlow } from '../../../../pipelines/netflow/parse-flow.js';
import { ZeekConnParser } from '../../../../pipelines/netflow/readers/zeek-conn.js';

const HEADER = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  '#open\t2022-06-17-00-00-07',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\tlabel',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\tstring',
];
const ROW = '1655071209.953394\tCvIOrb4ekWKPrnpqsf\t167.94.138.99\t7789\t147.32.83.165\t445\ttcp\t-\t0.000002\t10\t20\tS0\t2\t88\t1\t60\t(empty)\tMalicious';
const UNSET_ROW = '1655071214.5\tCG9frk48pyR2Bg7odg\t104.156.155.13\t52496\t147.32.83.165\t7535\ttcp\t-\t-\t-\t-\tS0\t1\t44\t0\t0\t(empty)\tMalicious';

function withHeader(options?: ConstructorParameters<typeof ZeekConnParser>[0]): ZeekConnParser {
  const parser = new ZeekConnParser(options);
  for (const line of HEADER) expect(parser.read(line)).toMatchObject({ kind: 'skipped', reason: 'header' });
  return parser;
}

describe('ZeekConnParser, tab-separated', () => {
  it('reads the #fields header after a \\x09 separator declaration', () => {
    expect(withHeader().fields).toHaveLength(18);
  });

  it('maps a record: originator = source, in_* = originator → responder', () => {
    const r = withHeader().read(ROW);
    expect(r).toEqual({
      kind: 'flow',
      raw: {
        eventid: 'CvIOrb4ekWKPrnpqsf', src_ip4: 2807990883, src_ip: '167.94.138.99', dst_ip4: 2468369317,
        dst_ip: '147.32.83.165', src_port: '7789', dst_port: '445', duration: '0.000002', in_bytes: '10',
        in_packets: '2', out_bytes: '20', out_packets: '1', eventtime: '1655071209.953394', nproto: 'TCP',
        dvc_type: 'zeek', conn_state: 'S0', label: 'Malicious',
      },
    });
    if (r.kind === 'flow') {
      expect(parseFlow(r.raw)).toMatchObject({ ok: true, record: { in_bytes: 10, out_bytes: 20, eventtime: 1655071209.953394 } });
    }
  });

  it('can take the IP-level byte counts instead of the payload ones', () => {
    const r = withHeader({ bytes: 'ip' }).read(ROW);
    expect(r.kind === 'flow' && [r.raw.in_bytes, r.raw.out_bytes]).toEqual(['88', '60']);
  });

  it("fills unset ('-') measurements with 0 and flags them, by default", () => {
    const r = withHeader().read(UNSET_ROW);
    expect(r.kind === 'flow' && r.raw).toMatchObject({ duration: 0, in_bytes: 0, out_bytes: 0, unset_fields: ['duration', 'in_bytes', 'out_bytes'] });
    if (r.kind === 'flow') expect(parseFlow(r.raw)).toMatchObject({ ok: true, record: { unset: ['duration', 'in_bytes', 'out_bytes'] } });
  });

  it("rejects unset measurements as missing-field under unset: 'reject'", () => {
    expect(withHeader({ unset: 'reject' }).read(UNSET_ROW)).toEqual({
      kind: 'rejected', reason: 'missing-field', detail: 'unset: duration, orig_bytes, resp_bytes',
    });
  });

  it('honours other declared separators and unset markers, #close, blank lines and \\r', () => {
    const parser = new ZeekConnParser();
    parser.read('#separator ,');
    parser.read('#unset_field,NA');
    parser.read('#fields,ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,duration,orig_bytes,resp_bytes,orig_pkts,resp_pkts');
    const r = parser.read('1.5,Cx,10.0.0.1,1,10.0.0.2,2,udp,NA,NA,NA,1,0\r');
    expect(r.kind === 'flow' && r.raw).toMatchObject({ eventid: 'Cx', nproto: 'UDP', out_packets: '0', unset_fields: ['duration', 'in_bytes', 'out_bytes'] });
    expect(parser.read('')).toMatchObject({ kind: 'skipped', reason: 'blank' });
    expect(parser.read('#close,2022-06-18-00-00-00')).toMatchObject({ kind: 'skipped', reason: 'header', detail: '#close' });
  });

  it('rejects data before #fields and rows with the wrong column count', () => {
    expect(new ZeekConnParser().read(ROW)).toMatchObject({ kind: 'rejected', reason: 'missing-header' });
    expect(withHeader().read('1\t2\t3')).toMatchObject({ kind: 'rejected', reason: 'malformed-line' });
  });

  it('rejects the rows under a #fields naming a column twice as malformed-header (the later one silently won before)', () => {
    const parser = new ZeekConnParser();
    parser.read('#fields\tts\tuid\tproto\tproto');
    expect(parser.read('1655071209.5\tC1\ttcp\tudp')).toEqual({ kind: 'rejected', reason: 'malformed-header', detail: '#fields names the column "proto" twice' });
  });

  it('marks IPv6 connections so that parseFlow drops them', () => {
    const r = withHeader().read(ROW.replace('167.94.138.99', 'fe80::1').replace('147.32.83.165', 'fe80::2'));
    expect(r.kind === 'flow' && parseFlow(r.raw)).toMatchObject({ ok: false, reason: 'ipv6' });
  });
});

describe('ZeekConnParser, JSON lines', () => {
  const json = {
    ts: 1664462456.755299, uid: 'C5xhsO3uGtOfyrBlHh', 'id.orig_h': '172.16.1.11', 'id.orig_p': 40042,
    'id.resp_h': '8.8.8.8', 'id.resp_p': 53, proto: 'udp', duration: 0.0121, orig_bytes: 0, resp_bytes: 111,
    conn_state: 'SHR', orig_pkts: 0, orig_ip_bytes: 0, resp_pkts: 1, resp_ip_bytes: 139,
  };

  it('maps a record without any header', () => {
    const r = new ZeekConnParser().read(JSON.stringify(json));
    expect(r.kind === 'flow' && parseFlow(r.raw)).toEqual({
      ok: true,
      record: {
        eventid: 'C5xhsO3uGtOfyrBlHh', src_ip4: 2886729995, dst_ip4: 134744072, src_port: 40042, dst_port: 53,
        duration: 0.0121, in_bytes: 0, in_packets: 0, out_bytes: 111, out_packets: 1, eventtime: 1664462456.755299,
        nproto: 'UDP', src_ip: '172.16.1.11', dst_ip: '8.8.8.8', dvc_type: 'zeek',
      },
    });
  });

  it('treats missing members as unset, and reads ISO timestamps', () => {
    const { duration: _d, orig_bytes: _o, resp_bytes: _r, ...rest } = json;
    const r = new ZeekConnParser().read(JSON.stringify({ ...rest, ts: '2022-09-29T14:40:56.755299Z' }));
    expect(r.kind === 'flow' && r.raw).toMatchObject({ eventtime: 1664462456.755299, unset_fields: ['duration', 'in_bytes', 'out_bytes'] });
  });

  it('rejects broken JSON and unreadable timestamps', () => {
    expect(new ZeekConnParser().read('{"ts":')).toMatchObject({ kind: 'rejected', reason: 'malformed-json' });
    expect(new ZeekConnParser().read(JSON.stringify({ ...json, ts: '2022-99-29T14:40:56Z' }))).toMatchObject({
      kind: 'rejected', reason: 'invalid-timestamp',
    });
    // a timestamp the record could not be stamped with: out of 1970..2100 (here ms read as s), not a number, absent
    expect(new ZeekConnParser().read(JSON.stringify({ ...json, ts: 1664462456755 }))).toMatchObject({ kind: 'rejected', reason: 'invalid-timestamp' });
    expect(new ZeekConnParser().read(JSON.stringify({ ...json, ts: '2222-09-29T14:40:56Z' }))).toMatchObject({ kind: 'rejected', reason: 'invalid-timestamp' });
    expect(new ZeekConnParser().read(JSON.stringify({ ...json, ts: 'soon' }))).toMatchObject({ kind: 'rejected', reason: 'invalid-timestamp' });
    expect(new ZeekConnParser().read(JSON.stringify({ ...json, ts: null }))).toMatchObject({ kind: 'rejected', reason: 'missing-field', detail: 'ts' });
  });
});
