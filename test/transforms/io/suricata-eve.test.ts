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
