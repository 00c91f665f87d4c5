import { describe, expect, it } from 'vitest';
import { parseFlow } from '../../../../pipelines/netflow/parse-flow.js';
import { readLines } from '../../../../pipelines/netflow/readers/read-lines.js';
import { readSuricataEveLine } from '../../../../pipelines/netflow/readers/suricata-eve.js';
import type { FlowRecord } from '../../../../pipelines/netflow/flow-record.js';
import { sharedDataFile } from '../shared-data.js';

const FLOW_LINE = JSON.stringify({
  timestamp: '2021-06-06T16:10:00.000000+0200', flow_id: 1374195536821504, event_type: 'flow',
  src_ip: '192.168.1.132', src_port: 1900, dest_ip: '192.168.1.129', dest_port: 44232, proto: 'UDP',
  flow: {
    pkts_toserver: 12, pkts_toclient: 3, bytes_toserver: 4056, bytes_toclient: 300,
    start: '2021-06-06T16:38:55.855844+0200', end: '2021-06-06T16:38:56.963027+0200', age: 1, state: 'new',
  },
});

describe('readSuricataEveLine', () => {
  it('maps a flow event', () => {
    const r = readSuricataEveLine(FLOW_LINE);
    expect(r).toEqual({
      kind: 'flow',
      raw: {
        eventid: '1374195536821504', src_ip4: 3232235908, src_ip: '192.168.1.132', dst_ip4: 3232235905,
        dst_ip: '192.168.1.129', src_port: 1900, dst_port: 44232, duration: 1.107183, in_bytes: 4056,
        in_packets: 12, out_bytes: 300, out_packets: 3, eventtime: 1622990335.855844, nproto: 'UDP',
        dvc_type: 'suricata', conn_state: 'new',
      },
    });
  });

  it('keeps all digits of 64-bit flow ids', () => {
    const r = readSuricataEveLine(FLOW_LINE.replace('1374195536821504', '18446744073709551615'));
    expect(r.kind === 'flow' && r.raw.eventid).toBe('18446744073709551615');
  });

  it('skips other event types without calling them errors', () => {
    expect(readSuricataEveLine('{"event_type":"dns"}')).toEqual({ kind: 'skipped', reason: 'not-a-flow', detail: 'event_type dns' });
    expect(readSuricataEveLine('  ')).toMatchObject({ kind: 'skipped', reason: 'blank' });
  });

  it('marks IPv6 flows so that parseFlow drops them', () => {
    const r = readSuricataEveLine(FLOW_LINE.replace('"192.168.1.132"', '"fe80::1"').replace('"192.168.1.129"', '"fe80::2"'));
    expect(r.kind).toBe('flow');
    if (r.kind === 'flow') expect(parseFlow(r.raw)).toMatchObject({ ok: false, reason: 'ipv6' });
  });

  it('gives a flow without flow.end duration 0, flagged unset', () => {
    const line = FLOW_LINE.replace(',"end":"2021-06-06T16:38:56.963027+0200"', '');
    const r = readSuricataEveLine(line);
    expect(r.kind === 'flow' && [r.raw.duration, r.raw.unset_fields]).toEqual([0, ['duration']]);
  });

  it('maps ICMP type and code to the ports', () => {
    const line = FLOW_LINE.replace('"src_port":1900,', '"icmp_type":8,').replace('"dest_port":44232,', '"icmp_code":0,');
    const r = readSuricataEveLine(line);
    expect(r.kind === 'flow' && [r.raw.src_port, r.raw.dst_port]).toEqual([8, 0]);
  });

  it.each([
    ['{not json', 'malformed-json'],
    ['"a string"', 'malformed-json'],
    ['{"event_type":"flow"}', 'missing-field'],
    ['{"event_type":"flow","flow":{}}', 'missing-field'],
    ['{"event_type":"flow","flow":{"start":"soon"}}', 'invalid-timestamp'],
    ['{"event_type":"flow","flow":{"start":"2021-06-06T16:38:55+0200","end":"later"}}', 'invalid-timestamp'],
    ['{"event_type":"flow","flow":{"start":"2200-06-06T16:38:55+0200"}}', 'invalid-timestamp'],
    ['{"event_type":"flow","flow":{"start":"1969-12-31T23:59:59Z"}}', 'invalid-timestamp'],
  ])('rejects %j as %s', (line, reason) => {
    expect(readSuricataEveLine(line)).toMatchObject({ kind: 'rejected', reason });
  });
});

describe('suricata-eve-flows.json (real data)', async () => {
  let lines = 0;
  const kinds = new Map<string, number>();
  const rejects = new Map<string, number>();
  const records: FlowRecord[] = [];
  for await (const line of readLines(sharedDataFile('suricata-eve-flows.json'))) {
    lines++;
    const r = readSuricataEveLine(line.text);
    kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
    if (r.kind !== 'flow') continue;
    const p = parseFlow(r.raw);
    if (p.ok) records.push(p.record);
    else rejects.set(p.reason, (rejects.get(p.reason) ?? 0) + 1);
  }

  it('has 5,000 lines, 3,512 flow events and 1,488 other events', () => {
    expect(lines).toBe(5000);
    expect(Object.fromEntries(kinds)).toEqual({ flow: 3512, skipped: 1488 });
  });

  it('holds no IPv6 flow: all 3,512 flows parse as valid IPv4 records', () => {
    expect(Object.fromEntries(rejects)).toEqual({});
    expect(records).toHaveLength(3512);
  });

  it('takes event time from flow.start, not the shared top-level timestamp', () => {
    const times = new Set(records.map((r) => r.eventtime));
    expect(times.size).toBeGreaterThan(3000);
    expect(Math.min(...records.map((r) => r.eventtime))).toBe(1622987859.105835);
    expect(records.every((r) => r.duration > 0)).toBe(true);
  });

  it('has 954 source IPs, the busiest with 751 flows', () => {
    const perIp = new Map<string, number>();
    for (const r of records) perIp.set(r.src_ip!, (perIp.get(r.src_ip!) ?? 0) + 1);
    expect(perIp.size).toBe(954);
    expect(Math.max(...perIp.values())).toBe(751);
    expect(perIp.get('192.168.1.129')).toBe(751);
  });
});
