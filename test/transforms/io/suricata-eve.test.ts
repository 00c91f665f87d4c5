import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../sdk/dead-letter.js';
import type { Source } from '../../../sdk/io/source.js';
import type { PCollection } from '../../../sdk/pcollection.js';
import type { Pipeline } from '../../../sdk/pipeline.js';
import type { PTransform } from '../../../sdk/ptransform.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { eveTime, SuricataEve, type SuricataEveEvent } from '../../../transforms/io/suricata-eve.js';
import { LineSourceStats } from '../../../transforms/io/text-file.js';
import { sharedDataFile } from '../../pipelines/netflow/shared-data.js';
import { RUNNERS, runWith } from '../../support/runners.js';
import { concat, drain, openSource, sourceOf, takeThroughPump } from '../../support/source-reads.js';

const EVE = sharedDataFile('suricata-eve-flows.json');
const LINES = readFileSync(EVE, 'utf8').split('\n').filter((l) => l !== '');
/** The sample's events by type, counted independently of the reader. */
const BY_TYPE = LINES.reduce<Record<string, number>>((n, l) => {
  const type = (JSON.parse(l) as { event_type: string }).event_type;
  n[type] = (n[type] ?? 0) + 1;
  return n;
}, {});

function tempFile(name: string, text: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'suricata-eve-')), name);
  writeFileSync(path, text);
  return path;
}

async function readOn<T>(options: (typeof RUNNERS)[number]['options'], read: PTransform<Pipeline, PCollection<T>>) {
  const { out } = await runWith(options, (p) => {
    const events = p.apply('Read', read);
    return { main: events.apply('Main', Capture.records<T>()), dead: events.deadLetters().apply('Dead', Capture.records<DeadLetter>()) };
  });
  return { records: out.main.records.map((r) => ({ value: r.value, timestamp: r.timestamp })), dead: out.dead.values() };
}

describe('eveTime', () => {
  it('reads Suricata times with their offset, in whole ms', () => {
    expect(eveTime('2021-06-06T15:59:46.457984+0200')).toBe(Date.UTC(2021, 5, 6, 13, 59, 46, 457));
    expect(eveTime('2021-06-06T15:59:46Z')).toBe(Date.UTC(2021, 5, 6, 15, 59, 46));
    expect(eveTime('2021-02-30T00:00:00Z')).toBeUndefined();
    expect(eveTime('yesterday')).toBeUndefined();
    expect(eveTime(1622987986)).toBeUndefined();
  });
});

describe.each(RUNNERS)('SuricataEve on $label', ({ options }) => {
  it('reads the real sample: the flow events, event time their timestamp; other types skipped and counted, not dead letters', async () => {
    const stats = new LineSourceStats();
    const { records, dead } = await readOn(options, SuricataEve.read(EVE, { eventTypes: ['flow'], stats }));
    expect(dead).toEqual([]);
    expect(records.length).toBe(BY_TYPE['flow']);
    expect(records.length).toBe(3512);
    const others = Object.entries(BY_TYPE).filter(([t]) => t !== 'flow');
    expect(stats.skipped).toEqual(Object.fromEntries(others.map(([t, n]) => [`event_type ${t}`, n])));
    for (const r of records) {
      expect(r.value.event_type).toBe('flow');
      expect(r.timestamp).toBe(eveTime(r.value.timestamp));
    }
    expect(records[0]!.timestamp).toBe(Date.UTC(2021, 5, 6, 13, 57, 37, 272));
  });

  it('without eventTypes every event is read; the timestamp option can take the flow start instead', async () => {
    const all = await readOn(options, SuricataEve.read(EVE));
    expect(all.records.length).toBe(LINES.length);
    const started = await readOn(options, SuricataEve.read<SuricataEveEvent>(EVE, { eventTypes: ['flow'], timestamp: (e) => eveTime(e.flow?.start) }));
    expect(started.records.map((r) => r.timestamp)).toEqual(started.records.map((r) => eveTime(r.value.flow!.start)));
  });

  it('skipped event types are counted each under its own name up to 64 of them, the rest (and names past 100 characters) under event_type (other): the counts stay bounded whatever types a log holds', async () => {
    const types = [...Array.from({ length: 5000 }, (_, i) => `type-${i}`), 'x'.repeat(101), 'type-0'];
    const path = tempFile('types.json', [...types, 'flow'].map((t) => JSON.stringify({ timestamp: '2021-06-06T15:59:46Z', event_type: t })).join('\n') + '\n');
    const stats = new LineSourceStats();
    const { records } = await readOn(options, SuricataEve.read(path, { eventTypes: ['flow'], stats }));
    expect(records).toHaveLength(1);
    expect(Object.keys(stats.skipped)).toHaveLength(65);
    expect(stats.skipped['event_type type-0']).toBe(2);
    expect(stats.skipped['event_type type-63']).toBe(1);
    expect(stats.skipped['event_type type-64']).toBeUndefined();
    expect(stats.skipped['event_type (other)']).toBe(5000 - 64 + 1);
    expect(Object.values(stats.skipped).reduce((a, b) => a + b, 0)).toBe(types.length);
  });

  it('a timestamp with an impossible offset (+25:00, +12:60) is a dead letter, never a shifted time; year 0099 is year 99, not 1999', async () => {
    const event = (timestamp: string) => JSON.stringify({ timestamp, event_type: 'flow', flow_id: 1 });
    const path = tempFile('offsets.json', [event('2021-06-06T15:59:46+25:00'), event('2021-06-06T15:59:46+12:60'), event('0099-06-06T15:59:46Z')].join('\n') + '\n');
    const { records, dead } = await readOn(options, SuricataEve.read(path));
    expect(dead.map((d) => [d.reason, d.origin])).toEqual([['invalid-timestamp', { file: path, line: 1 }], ['invalid-timestamp', { file: path, line: 2 }]]);
    const year99 = new Date(0);
    year99.setUTCFullYear(99, 5, 6);
    year99.setUTCHours(15, 59, 46, 0);
    expect(records.map((r) => r.timestamp)).toEqual([year99.getTime()]);
  });

  it('a corrupted copy: random bytes, a truncated line, bad JSON, a missing or bad timestamp, a 64-bit integer are dead letters naming file and line; the rest is intact', async () => {
    const lines = LINES.slice(0, 300);
    const clean = tempFile('clean.json', lines.join('\n') + '\n');
    const corrupt = [...lines];
    const flowAt = (from: number) => corrupt.findIndex((l, i) => i >= from && l.includes('"event_type":"flow"'));
    const spoiled: number[] = [];
    const spoil = (from: number, f: (line: string) => string) => {
      const i = flowAt(Math.max(from, (spoiled.at(-1) ?? -1) + 2)); // a flow line, never one spoiled already
      corrupt[i] = f(corrupt[i]!);
      spoiled.push(i);
    };
    spoil(10, () => '\u0000'); // random bytes, below
    spoil(30, (l) => l.slice(0, 50)); // truncated
    spoil(50, (l) => l.replace('{', '{,')); // not JSON
    spoil(70, (l) => l.replace(/"timestamp":"[^"]*",/, '')); // no timestamp
    spoil(90, (l) => l.replace(/"timestamp":"[^"]*"/, '"timestamp":"2021-13-06T15:57:37+0200"')); // no such month
    spoil(110, (l) => l.replace(/"flow_id":\d+/, '"flow_id":18446744073709551615')); // beyond 2^53
    spoil(130, (l) => l.replace(/"event_type":"flow",/, '')); // no event type
    const text = corrupt.join('\n') + '\n';
    const at = text.indexOf('\u0000\n');
    const path = tempFile('corrupt.json', Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0x80]), Buffer.from(text.slice(at + 1))]));

    const whole = await readOn(options, SuricataEve.read(clean, { eventTypes: ['flow'] }));
    const { records, dead } = await readOn(options, SuricataEve.read(path, { eventTypes: ['flow'] }));
    expect(dead.map((d) => [d.reason, d.origin])).toEqual(
      ['invalid-utf8', 'malformed-json', 'malformed-json', 'invalid-timestamp', 'invalid-timestamp', 'unsafe-integer', 'malformed-event'].map((reason, k) => [reason, { file: path, line: spoiled[k]! + 1 }]),
    );
    expect(dead[3]!.message).toBe('the event has no timestamp');
    expect(dead[4]!.message).toBe('timestamp "2021-13-06T15:57:37+0200" is not an ISO-8601 time');
    expect(dead[5]!.message).toContain('"flow_id" is the integer 18446744073709551615');
    const spoiledIds = new Set(spoiled.map((i) => (JSON.parse(lines[i]!) as { flow_id: number }).flow_id));
    expect(records).toEqual(whole.records.filter((r) => !spoiledIds.has(r.value.flow_id!)));
    expect(records.length).toBe(whole.records.length - spoiled.length);
  });
  it('a typed member written with another type (bytes as text, a port past 65535, null) is a malformed-event dead letter with file and line, never an event whose bytes concatenate', async () => {
    const flows = LINES.filter((l) => l.includes('"event_type":"flow"')).slice(0, 8);
    const edits: [string, (e: Record<string, any>) => void, string][] = [
      ['bytes as text', (e) => { e['flow'].bytes_toserver = String(e['flow'].bytes_toserver); }, 'flow.bytes_toserver is "'],
      ['port past 65535', (e) => { e['dest_port'] = 70000; }, 'dest_port is 70000, not a port (an integer in 0..65535)'],
      ['null address', (e) => { e['src_ip'] = null; }, 'src_ip is null, not text'],
      ['flow an array', (e) => { e['flow'] = [1]; }, 'flow is [1], not an object'],
      ['start a number', (e) => { e['flow'].start = 1622987986; }, 'flow.start is 1622987986, not text'],
      ['negative packets', (e) => { e['flow'].pkts_toclient = -1; }, 'flow.pkts_toclient is -1, not a count (an integer >= 0)'],
    ];
    const spoiled = flows.map((l, i) => {
      if (i >= edits.length) return l;
      const e = JSON.parse(l) as Record<string, any>;
      edits[i]![1](e);
      return JSON.stringify(e);
    });
    const path = tempFile('retyped.json', spoiled.join('\n') + '\n');
    const { records, dead } = await readOn(options, SuricataEve.read(path, { eventTypes: ['flow'], timestamp: (e) => eveTime(e.flow?.start) }));
    expect(dead.map((d) => [d.reason, d.origin!['line']])).toEqual(edits.map((_, i) => ['malformed-event', i + 1]));
    dead.forEach((d, i) => expect(d.message.startsWith(edits[i]![2])).toBe(true));
    expect(records.map((r) => r.value)).toEqual(flows.slice(edits.length).map((l) => JSON.parse(l)));
  });

  it('real flow events with a random member set to a random JSON value: each is a dead letter or an event whose typed members have their types', async () => {
    const flows = LINES.filter((l) => l.includes('"event_type":"flow"')).slice(0, 200);
    const members = ['timestamp', 'flow_id', 'src_ip', 'src_port', 'dest_ip', 'dest_port', 'proto', 'flow', 'flow.pkts_toserver', 'flow.bytes_toserver', 'flow.bytes_toclient', 'flow.start', 'flow.age', 'flow.alerted', 'flow.state'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...flows), fc.constantFrom(...members), fc.jsonValue({ maxDepth: 2 }), async (line, member, value) => {
        const e = JSON.parse(line) as Record<string, any>;
        if (member.startsWith('flow.')) e['flow'][member.slice(5)] = value;
        else e[member] = value;
        const path = tempFile('mutated.json', JSON.stringify(e) + '\n');
        const got = await drain(await openSource(sourceOf(SuricataEve.read(path, { timestamp: () => 0 }))), 10);
        expect(got.elements.length + got.deadLetters.length).toBe(1);
        for (const [event] of got.elements as [SuricataEveEvent, number][]) {
          const f = event.flow;
          for (const port of [event.src_port, event.dest_port]) expect(port === undefined || (Number.isInteger(port) && port >= 0 && port <= 65535)).toBe(true);
          for (const text of [event.timestamp, event.src_ip, event.dest_ip, event.proto, f?.start, f?.state]) expect(text === undefined || typeof text === 'string').toBe(true);
          expect(f === undefined || (typeof f === 'object' && !Array.isArray(f))).toBe(true);
          for (const n of [f?.pkts_toserver, f?.bytes_toserver, f?.bytes_toclient]) expect(n === undefined || (Number.isInteger(n) && n >= 0)).toBe(true);
          expect(f?.age === undefined || Number.isFinite(f.age)).toBe(true);
          expect(f?.alerted === undefined || typeof f.alerted === 'boolean').toBe(true);
        }
      }),
      { numRuns: 150, seed: 20261204 },
    );
  });
});

describe('SuricataEve checkpoints', () => {
  it('resumed mid-file, gives the events of an uninterrupted read', async () => {
    const source = () => sourceOf(SuricataEve.read(EVE, { eventTypes: ['flow'] })) as Source<unknown>;
    const whole = await drain(await openSource(source()), 500);
    for (const take of [1, 5]) {
      const { taken, position, takenAll } = await takeThroughPump(source(), take, 500);
      expect(takenAll).toBe(false);
      const rest = await drain(await openSource(source(), position), 500);
      expect(concat(taken, rest)).toEqual(whole);
    }
  });
});
