import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ownOutputFlags } from '../../../bin/compare-command.js';
import { netflowConfigFromArgs } from '../../../bin/netflow-command.js';
import { deadLetterRecord, MAX_RAW_CHARS, shorten } from '../../../pipelines/netflow/io/dead-letter-output.js';
import { lateOutputRecord } from '../../../pipelines/netflow/io/late-output.js';
import { eventTimeOfLine, eventTimeOfValue } from '../../../pipelines/netflow/io/line-event-time.js';
import { parseRecordSink } from '../../../pipelines/netflow/io/record-sink.js';
import { flow } from './test-records.js';

describe('the event time of a raw NDJSON line', () => {
  it('is what the sensor-log readers take from the parsed eventtime, for any flat JSON object', () => {
    const value = fc.oneof(
      fc.double({ noNaN: false }),
      fc.integer(),
      fc.double({ min: 0, max: 4e9, noNaN: true }).map(String),
      fc.integer({ min: -10, max: 2e9 }).map((n) => ` ${n}\n`),
      fc.string(),
      fc.constantFrom(null, true, '', '1e3', '0x10', '-0', 'Infinity', '1490024708.5'),
    );
    const other = fc.dictionary(fc.string().filter((k) => k !== 'eventtime' && k !== '__proto__'), fc.oneof(fc.string(), fc.double(), fc.boolean()), { maxKeys: 4 });
    fc.assert(
      fc.property(other, value, other, fc.boolean(), (before, v, after, present) => {
        const o = { ...before, ...(present ? { eventtime: v } : {}), ...after };
        const text = JSON.stringify(o);
        // what a reader sees: the value parsed back from the text (e.g. -0 is written as 0)
        expect(eventTimeOfLine(text)).toBe(eventTimeOfValue((JSON.parse(text) as { eventtime?: unknown }).eventtime));
      }),
      { numRuns: 2000 },
    );
  });

  it('is undefined for a truncated line (it must not move the watermark), and read from a string or a number', () => {
    expect(eventTimeOfLine('{"eventid":1,"eventtime":1490024708')).toBeUndefined();
    expect(eventTimeOfLine('{"eventid":1,"eventtime":1490024708.25}')).toBe(1490024708250);
    expect(eventTimeOfLine(' {"eventtime" : "1490024708.001" , "eventid":1} ')).toBe(1490024708001);
    expect(eventTimeOfLine('{"eventtime":-1}')).toBeUndefined();
    expect(eventTimeOfLine('"just a string"')).toBeUndefined();
  });
});

describe('dead-letter and late output records', () => {
  it('keeps the raw record whole up to 4,000 characters, and says when it shortened it', () => {
    const d = { step: 'S', reason: 'r', message: 'm', element: 'y'.repeat(MAX_RAW_CHARS), origin: { file: 'f', line: 1 } };
    expect(deadLetterRecord(d)).toEqual({ reason: 'r', message: 'm', step: 'S', origin: { file: 'f', line: 1 }, raw: 'y'.repeat(MAX_RAW_CHARS), rawLength: MAX_RAW_CHARS });
    const long = deadLetterRecord({ ...d, element: 'z'.repeat(MAX_RAW_CHARS + 1) });
    expect(long).toMatchObject({ raw: `${'z'.repeat(MAX_RAW_CHARS)}…`, rawLength: MAX_RAW_CHARS + 1, shortened: true });
    // a surrogate pair is never split
    expect(shorten(`${'a'.repeat(3)}😀`, 4)).toBe('aaa…');
    // other elements as JSON; no origin at all is null, not absent
    expect(deadLetterRecord({ step: 'S', reason: 'r', message: 'm', element: { a: 1 }, timestamp: 5, window: 'w' })).toEqual({ reason: 'r', message: 'm', step: 'S', origin: null, raw: '{"a":1}', rawLength: 7, timestamp: 5, window: 'w' });
  });

  it('a file line that is not valid UTF-8 keeps its exact bytes: raw in base64, said so', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0x7d]);
    const d = { step: 'Read', reason: 'invalid-utf8', message: 'm', element: { text: '{\uFFFD}', value: bytes.toString('base64'), encoding: 'base64' }, origin: { file: 'f', line: 9 } };
    expect(deadLetterRecord(d)).toEqual({ reason: 'invalid-utf8', message: 'm', step: 'Read', origin: { file: 'f', line: 9 }, raw: bytes.toString('base64'), rawLength: 4, rawEncoding: 'base64' });
  });

  it('gives a late flow its window in ms, origin, event id and parsed record', () => {
    const record = flow({ eventid: 'e1', eventtime: 1490024701.5 });
    const l = lateOutputRecord({
      step: 'Netflow/GroupByKey',
      reason: 'past-allowed-lateness',
      timestamp: 1490024701500,
      window: '[2017-03-20T15:45:00.000Z, 2017-03-20T15:45:03.000Z)',
      value: { key: record.src_ip4, value: { record, ingestedAt: 7, origin: { topic: 't', partition: 2, offset: '41' } } },
    });
    expect(l).toEqual({
      reason: 'past-allowed-lateness',
      step: 'Netflow/GroupByKey',
      window: '[2017-03-20T15:45:00.000Z, 2017-03-20T15:45:03.000Z)',
      windowStart: 1490024700000,
      windowEnd: 1490024703000,
      timestamp: 1490024701500,
      origin: { topic: 't', partition: 2, offset: '41' },
      eventid: 'e1',
      ingestedAt: 7,
      record,
    });
  });
});

describe('--deadLetters and --lateOutput', () => {
  it('take ndjson:<path> or kafka:<topic>, and refuse anything else naming the flag', () => {
    const c = netflowConfigFromArgs(['--input=ndjson:x.ndjson', '--deadLetters=ndjson:out/dead.ndjson', '--lateOutput=kafka:late', '--brokers=127.0.0.1:9092']);
    expect(c.deadLetters).toEqual({ kind: 'ndjson', path: 'out/dead.ndjson' });
    expect(c.lateOutput).toEqual({ kind: 'kafka', topic: 'late' });
    expect(netflowConfigFromArgs([]).deadLetters).toBeUndefined();
    expect(() => netflowConfigFromArgs(['--deadLetters=dead.ndjson'])).toThrow(/--deadLetters=dead.ndjson: use ndjson:<path> or kafka:<topic>/);
    expect(() => netflowConfigFromArgs(['--lateOutput=stdout-summary'])).toThrow(/--lateOutput/);
    expect(() => parseRecordSink('lateOutput', 'kafka:')).toThrow(/--lateOutput/);
  });

  it('compare gives each runner its own files and topics', () => {
    expect(ownOutputFlags({ output: 'ndjson:out/p.ndjson', deadLetters: 'ndjson:out/dead.ndjson', lateOutput: 'kafka:late' }, 'native')).toEqual([
      '--output=ndjson:out/p.native.ndjson',
      '--deadLetters=ndjson:out/dead.native.ndjson',
      '--lateOutput=kafka:late.native',
    ]);
    expect(ownOutputFlags({ output: 'stdout-summary' }, 'microbatch')).toEqual(['--output=stdout-summary']);
  });
});
