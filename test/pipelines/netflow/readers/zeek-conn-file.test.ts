import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../../../pipelines/netflow/flow-record.js';
import { parseFlow } from '../../../../pipelines/netflow/parse-flow.js';
import { readZeekConnFile } from '../../../../pipelines/netflow/readers/zeek-conn-file.js';
import type { ZeekConnOptions } from '../../../../pipelines/netflow/readers/zeek-conn.js';
import { windowCensus } from '../../../../pipelines/netflow/window-census.js';
import { sharedDataFile } from '../shared-data.js';

interface Tally {
  readonly results: Record<string, number>;
  readonly records: FlowRecord[];
  readonly parseRejects: number;
}

async function readAll(name: string, options?: ZeekConnOptions): Promise<Tally> {
  const results: Record<string, number> = {};
  const records: FlowRecord[] = [];
  let parseRejects = 0;
  for await (const r of readZeekConnFile(sharedDataFile(name), options)) {
    const key = r.kind === 'flow' ? 'flow' : `${r.kind}:${r.reason}`;
    results[key] = (results[key] ?? 0) + 1;
    if (r.kind !== 'flow') continue;
    const p = parseFlow(r.raw);
    if (p.ok) records.push(p.record);
    else parseRejects++;
  }
  return { results, records, parseRejects };
}

function flowsPerSource(records: readonly FlowRecord[]): Array<[string, number]> {
  const perIp = new Map<string, number>();
  for (const r of records) perIp.set(r.src_ip!, (perIp.get(r.src_ip!) ?? 0) + 1);
  return [...perIp].sort((a, b) => b[1] - a[1]);
}

describe('readZeekConnFile on damaged bytes', () => {
  it('rejects a line that is not valid UTF-8 as invalid-utf8 (it was decoded into U+FFFD and read before)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'zeek-conn-file-')), 'conn.log');
    writeFileSync(path, Buffer.concat([Buffer.from('#fields\tts\tuid\tid.orig_h\n1655071209.5\tC'), Buffer.from([0xff]), Buffer.from('1\t1.2.3.4\n')]));
    const got = [];
    for await (const r of readZeekConnFile(path)) got.push(r);
    expect(got.map((r) => (r.kind === 'flow' ? r.kind : [r.kind, r.reason]))).toEqual([['skipped', 'header'], ['rejected', 'invalid-utf8']]);
    expect(got[1]).toMatchObject({ detail: 'line 2 is not valid UTF-8 (its 24 bytes in base64: MTY1NTA3MTIwOS41CUP/MQkxLjIuMy40)' });
  });
});

describe('zeek-conn-mixed.log (tab-separated, real data)', async () => {
  const all = await readAll('zeek-conn-mixed.log');

  it('has 8 header lines and 9,048 flows, all valid IPv4 records', () => {
    expect(all.results).toEqual({ 'skipped:header': 8, flow: 9048 });
    expect(all.parseRejects).toBe(0);
    expect(all.records).toHaveLength(9048);
  });

  it('has 1,519 source IPs; the top ones have 5,097 / 800 / 102 flows', () => {
    const perIp = flowsPerSource(all.records);
    expect(perIp).toHaveLength(1519);
    expect(perIp.slice(0, 3)).toEqual([['147.32.83.165', 5097], ['104.156.155.13', 800], ['79.124.62.34', 102]]);
  });

  it('has 167 records with unset duration and byte counts (filled with 0, flagged)', () => {
    const unset = all.records.filter((r) => r.unset !== undefined);
    expect(unset).toHaveLength(167);
    expect(unset.every((r) => r.unset!.join() === 'duration,in_bytes,out_bytes')).toBe(true);
    expect(unset.every((r) => r.duration === 0 && r.in_bytes === 0 && r.out_bytes === 0)).toBe(true);
  });

  it('is up to 16,401 s out of event-time order', () => {
    let maxSeen = -Infinity;
    let worst = 0;
    for (const r of all.records) {
      maxSeen = Math.max(maxSeen, r.eventtime);
      worst = Math.max(worst, maxSeen - r.eventtime);
    }
    expect(Math.floor(worst)).toBe(16401);
  });

  it('in 3 s windows: 5,611 key-windows, 16,979 pairs, largest group 35', () => {
    const census = windowCensus(all.records);
    expect([census.groups.size, census.pairs, census.largestGroup]).toEqual([5611, 16979, 35]);
  });

  it("rejects exactly those 167 under unset: 'reject'", async () => {
    const strict = await readAll('zeek-conn-mixed.log', { unset: 'reject' });
    expect(strict.results).toEqual({ 'skipped:header': 8, flow: 8881, 'rejected:missing-field': 167 });
  });
});

describe('zeek-conn-portscan.log (JSON lines, real data)', async () => {
  const all = await readAll('zeek-conn-portscan.log');

  it('has 4,504 flows, all from the scanner 172.16.1.11', () => {
    expect(all.results).toEqual({ flow: 4504 });
    expect(all.parseRejects).toBe(0);
    expect(flowsPerSource(all.records)).toEqual([['172.16.1.11', 4504]]);
  });

  it('leaves duration and bytes unset on 2,698 of them (single-packet probes)', () => {
    expect(all.records.filter((r) => r.unset !== undefined)).toHaveLength(2698);
  });

  it('is the hot-key stress case: 1,969 events and 2,877,021 pairs in 3 s windows', () => {
    const census = windowCensus(all.records);
    expect([census.groups.size, census.pairs, census.largestGroup]).toEqual([92, 2877021, 1969]);
  });

  it('has 3,242 events and 5,344,703 pairs in 5 s windows, as SOURCES.md says (~3,200, ~5M)', () => {
    const census = windowCensus(all.records, 5000);
    expect([census.pairs, census.largestGroup]).toEqual([5344703, 3242]);
  });
});
