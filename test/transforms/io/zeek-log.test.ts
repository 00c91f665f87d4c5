import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../sdk/dead-letter.js';
import type { Source } from '../../../sdk/io/source.js';
import { Capture } from '../../../sdk/testing/capture.js';
import type { Pipeline } from '../../../sdk/pipeline.js';
import type { PCollection } from '../../../sdk/pcollection.js';
import type { PTransform } from '../../../sdk/ptransform.js';
import { LineSourceStats } from '../../../transforms/io/text-file.js';
import { ZeekLog, type ZeekConn, type ZeekRecord } from '../../../transforms/io/zeek-log.js';
import { sharedDataFile } from '../../pipelines/netflow/shared-data.js';
import { RUNNERS, runWith } from '../../support/runners.js';
import { concat, drain, emptyObserved, openSource, sourceOf, takeThroughPump } from '../../support/source-reads.js';

const MIXED = sharedDataFile('zeek-conn-mixed.log');
const PORTSCAN = sharedDataFile('zeek-conn-portscan.log');

/** The data lines of a sample (neither headers nor blank), as the independent count to compare with. */
function dataLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

function tempFile(name: string, text: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'zeek-log-')), name);
  writeFileSync(path, text);
  return path;
}

async function readOn<T>(options: (typeof RUNNERS)[number]['options'], read: PTransform<Pipeline, PCollection<T>>) {
  const { out } = await runWith(options, (p) => {
    const records = p.apply('Read', read);
    return { main: records.apply('Main', Capture.records<T>()), dead: records.deadLetters().apply('Dead', Capture.records<DeadLetter>()) };
  });
  return { records: out.main.records.map((r) => ({ value: r.value, timestamp: r.timestamp })), dead: out.dead.values() };
}

/** A small ASCII conn.log with every kind of value, its header as Zeek writes it. */
const HEADER = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  '#open\t2022-06-17-00-00-07',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tduration\torig_bytes\tlocal_orig\ttunnel_parents\tnote\tdelta',
  '#types\ttime\tstring\taddr\tport\tinterval\tcount\tbool\tset[string]\tstring\tint',
].join('\n');

describe.each(RUNNERS)('ZeekLog on $label', ({ options }) => {
  it('reads the real ASCII conn.log: one record per data line, typed from #types, event time ts', async () => {
    const stats = new LineSourceStats();
    const { records, dead } = await readOn(options, ZeekLog.conn(MIXED, { stats }));
    const lines = dataLines(MIXED);
    expect(records.length).toBe(lines.length);
    expect(records.length).toBe(9048);
    expect(dead).toEqual([]);
    expect(stats.skipped).toEqual({ header: 8 });
    // every record's event time is its ts in whole ms; the first line typed member by member
    for (const r of records) expect(r.timestamp).toBe(Math.floor(r.value.ts));
    const first = records.find((r) => r.value.uid === 'CvIOrb4ekWKPrnpqsf')!.value;
    expect(first).toEqual({
      ts: 1655071209953.394, uid: 'CvIOrb4ekWKPrnpqsf', 'id.orig_h': '167.94.138.99', 'id.orig_p': 7789, 'id.resp_h': '147.32.83.165', 'id.resp_p': 445,
      proto: 'tcp', duration: 0.002, orig_bytes: 0, resp_bytes: 0, conn_state: 'S0', local_orig: false, local_resp: true, missed_bytes: 0, history: 'S',
      orig_pkts: 2, orig_ip_bytes: 88, resp_pkts: 0, resp_ip_bytes: 0, tunnel_parents: [], label: 'Malicious', detailedlabel: 'External-Attack-to-Device',
    } satisfies ZeekConn);
    expect('service' in first).toBe(false); // '-' (unset): the member is absent
  });

  it('reads the real JSON conn.log the same way: times and durations in ms', async () => {
    const { records, dead } = await readOn(options, ZeekLog.conn(PORTSCAN));
    expect(records.length).toBe(dataLines(PORTSCAN).length);
    expect(records.length).toBe(4504);
    expect(dead).toEqual([]);
    const first = records[0]!;
    expect(first.value).toMatchObject({ ts: 1664462456755.299, uid: 'C5xhsO3uGtOfyrBlHh', 'id.resp_p': 53, duration: 12.166976928710938, local_orig: true });
    expect(first.timestamp).toBe(1664462456755);
  });

  it('a corrupted copy: random bytes, a truncated line, a wrong column count, a bad time are dead letters naming file and line; the rest is intact', async () => {
    const lines = readFileSync(MIXED, 'utf8').split('\n').slice(0, 208); // the 8 header lines and 200 records
    const clean = tempFile('clean.log', lines.join('\n') + '\n');
    const corrupt = [...lines];
    const random = Buffer.from([0x31, 0x36, 0x09, 0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x09, 0x41]); // not UTF-8
    corrupt[20] = '\u0000'; // placeholder: replaced by the random bytes below (line 21)
    corrupt[40] = corrupt[40]!.slice(0, 37); // truncated mid-record (line 41)
    corrupt[60] = `${corrupt[60]!}\textra`; // one column too many (line 61)
    corrupt[80] = corrupt[80]!.replace(/^[^\t]+/, 'yesterday'); // a ts that is no time (line 81)
    corrupt[100] = corrupt[100]!.replace(/^([^\t]*\t){9}[^\t]*/, (m) => m.replace(/[^\t]*$/, '18446744073709551616')); // orig_bytes beyond 2^53 (line 101)
    const text = corrupt.join('\n') + '\n';
    const at = text.indexOf('\u0000\n');
    const path = tempFile('corrupt.log', Buffer.concat([Buffer.from(text.slice(0, at)), random, Buffer.from(text.slice(at + 1))]));

    const whole = await readOn(options, ZeekLog.conn(clean));
    const { records, dead } = await readOn(options, ZeekLog.conn(path));
    expect(dead.map((d) => [d.reason, d.origin])).toEqual([
      ['invalid-utf8', { file: path, line: 21 }],
      ['malformed-line', { file: path, line: 41 }],
      ['malformed-line', { file: path, line: 61 }],
      ['malformed-value', { file: path, line: 81 }],
      ['unsafe-integer', { file: path, line: 101 }],
    ]);
    expect(dead[3]!.message).toBe('column ts: "yesterday" is not a Zeek time');
    expect(dead[4]!.message).toContain('column orig_bytes: count 18446744073709551616 is beyond');
    expect(dead[1]!.element).toBe(lines[40]!.slice(0, 37));
    const spoiled = new Set([21, 41, 61, 81, 101].map((line) => line - 9)); // record index of each spoiled line
    expect(records).toEqual(whole.records.filter((_, i) => !spoiled.has(i)));
  });

  it('a file of several header blocks (rotated logs concatenated), each with its own separator, columns and types', async () => {
    const path = tempFile('rotated.log', [
      HEADER,
      '1655071209.953394\tC1\t10.0.0.1\t80\t1.5\t100\tT\ta,b\tx\\x09y\t-3',
      '1655071210.000001\tC2\t10.0.0.2\t-\t-\t-\tF\t(empty)\t(empty)\t7',
      '#close\t2022-06-17-01-00-00',
      '#separator \\x7c',
      '#set_separator|;',
      '#empty_field|(empty)',
      '#unset_field|-',
      '#path|conn',
      '#fields|uid|ts|tunnel_parents',
      '#types|string|time|vector[count]',
      'C3|1655071300|1;2;3',
      '#close|2022-06-17-02-00-00',
      '',
    ].join('\n'));
    const stats = new LineSourceStats();
    const { records, dead } = await readOn(options, ZeekLog.read<ZeekRecord>(path, { stats }));
    expect(dead).toEqual([]);
    expect(records).toEqual([
      { value: { ts: 1655071209953.394, uid: 'C1', 'id.orig_h': '10.0.0.1', 'id.orig_p': 80, duration: 1500, orig_bytes: 100, local_orig: true, tunnel_parents: ['a', 'b'], note: 'x\ty', delta: -3 }, timestamp: 1655071209953 },
      { value: { ts: 1655071210000.001, uid: 'C2', 'id.orig_h': '10.0.0.2', local_orig: false, tunnel_parents: [], note: '', delta: 7 }, timestamp: 1655071210000 },
      { value: { uid: 'C3', ts: 1655071300000, tunnel_parents: [1, 2, 3] }, timestamp: 1655071300000 },
    ]);
    expect(stats.skipped).toEqual({ header: 17 });
  });

  it('a record before any #fields, a record without ts, and #types of the wrong length are dead letters; the timestamp option names the event time', async () => {
    const path = tempFile('odd.log', [
      '1655071209.953394\tC0',
      '#fields\tuid\tts',
      '#types\tstring\ttime',
      'C1\t-',
      'C2\t1655071209.5',
      '#types\tstring',
      'C3\t1655071209.5',
    ].join('\n'));
    const { records, dead } = await readOn(options, ZeekLog.read<{ uid: string; ts?: number }>(path));
    expect(dead.map((d) => [d.reason, d.origin!['line'], d.message])).toEqual([
      ['missing-header', 1, 'a data line before any #fields header'],
      ['invalid-timestamp', 4, 'the record has no ts'],
      ['malformed-header', 7, '#types names 1 types for the 2 #fields'],
    ]);
    expect(records).toEqual([{ value: { uid: 'C2', ts: 1655071209500 }, timestamp: 1655071209500 }]);

    const byUid = await readOn(options, ZeekLog.read<{ uid: string }>(path, { timestamp: (r) => (r.uid === 'C1' ? 42 : undefined) }));
    expect(byUid.records).toEqual([{ value: { uid: 'C1' }, timestamp: 42 }]);
    expect(byUid.dead.filter((d) => d.reason === 'invalid-timestamp').map((d) => d.message)).toEqual(['the timestamp option gave no event time']);
  });

  it('a __proto__ column is an own member like any other (never the record\'s prototype, never lost)', async () => {
    const path = tempFile('proto.log', ['#fields\tts\t__proto__\tconstructor', '#types\ttime\tset[string]\tstring', '1655071209.5\ta,b\tx'].join('\n'));
    const { records, dead } = await readOn(options, ZeekLog.read(path));
    expect(dead).toEqual([]);
    const value = records[0]!.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['ts', '__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual(['a', 'b']);
    expect(JSON.parse(JSON.stringify(value))).toEqual(JSON.parse('{"ts":1655071209500,"__proto__":["a","b"],"constructor":"x"}'));
  });

  it('a port beyond 0..65535 or not a number is a malformed-value dead letter (ASCII and JSON)', async () => {
    const path = tempFile('ports.log', [
      '#fields\tts\tuid\tid.orig_p',
      '#types\ttime\tstring\tport',
      '1655071209.5\tA\t65535',
      '1655071209.5\tB\t65536',
      '1655071209.5\tC\t99999999999',
      '1655071209.5\tD\thttp',
      '1655071209.5\tE\t-1',
      '{"ts":1655071209.5,"uid":"F","id.orig_p":70000}',
      '{"ts":1655071209.5,"uid":"G","id.resp_p":0}',
    ].join('\n'));
    const { records, dead } = await readOn(options, ZeekLog.conn(path));
    expect(dead.map((d) => [d.reason, d.origin!['line']])).toEqual([4, 5, 6, 7, 8].map((line) => ['malformed-value', line]));
    expect(dead[0]!.message).toBe('column id.orig_p: "65536" is not a Zeek port');
    expect(records.map((r) => r.value.uid)).toEqual(['A', 'G']);
  });

  it('conn.log without #types: counts and ports are numbers as ZeekConn promises (they were text: 100 + 200 bytes gave "100200")', async () => {
    const path = tempFile('untyped.log', [
      '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_bytes\tresp_bytes\tlocal_orig\tnote',
      '1600000000.5\tC1\t10.0.0.1\t1234\t10.0.0.2\t80\ttcp\t0.25\t100\t200\tT\t7',
      '1600000001.5\tC2\t10.0.0.1\t1234\t10.0.0.2\thttp\ttcp\t-\t-\t-\t-\t-',
    ].join('\n'));
    const { records, dead } = await readOn(options, ZeekLog.conn(path));
    expect(records).toEqual([{
      value: { ts: 1600000000500, uid: 'C1', 'id.orig_h': '10.0.0.1', 'id.orig_p': 1234, 'id.resp_h': '10.0.0.2', 'id.resp_p': 80, proto: 'tcp', duration: 250, orig_bytes: 100, resp_bytes: 200, local_orig: true, note: '7' },
      timestamp: 1600000000500,
    }]);
    expect(dead.map((d) => [d.reason, d.origin!['line'], d.message])).toEqual([['malformed-value', 3, 'column id.resp_p: "http" is not a Zeek port']]);
  });

  it('#types giving a column another type than the reader\'s (ts as double: seconds read as ms) makes its data lines malformed-header dead letters', async () => {
    const path = tempFile('retyped.log', [
      '#fields\tts\tuid\tid.resp_p\torig_bytes',
      '#types\tdouble\tstring\tport\tcount',
      '1600000000.5\tC1\t80\t100',
      '#types\ttime\tstring\tport\tstring',
      '1600000000.5\tC2\t80\t100',
      '#types\ttime\tstring\tport\tcount',
      '1600000000.5\tC3\t80\t100',
    ].join('\n'));
    const conn = await readOn(options, ZeekLog.conn(path));
    expect(conn.dead.map((d) => [d.reason, d.origin!['line'], d.message])).toEqual([
      ['malformed-header', 3, '#types gives column "ts" the type "double", not time'],
      ['malformed-header', 5, '#types gives column "orig_bytes" the type "string", not count'],
    ]);
    expect(conn.records).toEqual([{ value: { ts: 1600000000500, uid: 'C3', 'id.resp_p': 80, orig_bytes: 100 }, timestamp: 1600000000500 }]);
    // ZeekLog.read checks its own jsonTypes (default: ts a time).
    const any = await readOn(options, ZeekLog.read<{ uid: string }>(path));
    expect(any.dead.map((d) => d.origin!['line'])).toEqual([3]);
    expect(any.records.map((r) => [r.value.uid, r.timestamp])).toEqual([['C2', 1600000000500], ['C3', 1600000000500]]);
  });

  it('#fields naming a column twice makes its data lines malformed-header dead letters (one value would be lost)', async () => {
    const path = tempFile('twice.log', ['#fields\tts\tuid\tuid', '1655071209.5\tA\tB', '#fields\tts\tuid', '1655071209.5\tC'].join('\n'));
    const { records, dead } = await readOn(options, ZeekLog.read<{ uid: string }>(path));
    expect(dead.map((d) => [d.reason, d.origin!['line'], d.message])).toEqual([['malformed-header', 2, '#fields names the column "uid" twice']]);
    expect(records.map((r) => r.value.uid)).toEqual(['C']);
  });

  it('JSON lines: bad JSON, an integer beyond 2^53 and a member of the wrong type are dead letters', async () => {
    const path = tempFile('conn.json', [
      '{"ts":1664462456.755299,"uid":"A","id.orig_h":"1.2.3.4","id.orig_p":1,"id.resp_h":"5.6.7.8","id.resp_p":2,"proto":"tcp"}',
      '{"ts":1664462456.7,"uid":"B"',
      '{"ts":1664462456.7,"uid":"C","orig_bytes":18446744073709551615}',
      '{"ts":"2022-09-29T14:40:56.755299Z","uid":"D","duration":"long"}',
      '{"ts":"2022-09-29T14:40:56.755299Z","uid":"E"}',
    ].join('\n'));
    const { records, dead } = await readOn(options, ZeekLog.conn(path));
    expect(dead.map((d) => [d.reason, d.origin!['line']])).toEqual([
      ['malformed-json', 2],
      ['unsafe-integer', 3],
      ['malformed-value', 4],
    ]);
    expect(records.map((r) => [r.value.uid, r.value.ts, r.timestamp])).toEqual([
      ['A', 1664462456755.299, 1664462456755],
      ['E', 1664462456755.299, 1664462456755],
    ]);
  });
});

describe('ZeekLog on random damage', () => {
  it('any one data line replaced by random bytes is one dead letter at that line; every other record is read as before', async () => {
    const lines = readFileSync(MIXED, 'utf8').split('\n').slice(0, 48);
    const dir = mkdtempSync(join(tmpdir(), 'zeek-fuzz-'));
    const read = async (path: string) => drain(await openSource(sourceOf(ZeekLog.conn(path)) as Source<unknown>), 100);
    const clean = join(dir, 'clean.log');
    writeFileSync(clean, lines.join('\n') + '\n');
    const whole = await read(clean);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 8, max: 47 }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }).filter((b) => !b.includes(10) && !b.includes(13) && b[0] !== 0x23 && Buffer.from(b).toString('latin1').trim() !== ''),
        async (at, bytes) => {
          const path = join(dir, `damaged-${n++}.log`);
          const before = Buffer.from(lines.slice(0, at).join('\n') + '\n');
          const after = Buffer.from('\n' + lines.slice(at + 1).join('\n') + '\n');
          writeFileSync(path, Buffer.concat([before, bytes, after]));
          const got = await read(path);
          expect(got.deadLetters.map((d) => (d as { origin: unknown }).origin)).toEqual([{ file: path, line: at + 1 }]);
          expect(got.elements).toEqual(whole.elements.filter((_, i) => i !== at - 8));
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** Reads `source` whole, then for each cut takes `take` batches through a read-ahead pump, resumes from its position, and compares. */
async function expectResumesExactly(source: () => Source<unknown>, poll: number, takes: Iterable<number>): Promise<void> {
  const whole = await drain(await openSource(source()), poll);
  for (const take of takes) {
    const { taken, position, takenAll } = await takeThroughPump(source(), take, poll);
    expect(takenAll).toBe(false);
    expect(position).toMatchObject({ mapper: { separator: expect.any(String), fields: expect.any(Array) } });
    const rest = await drain(await openSource(source(), position), poll);
    expect(concat(taken, rest)).toEqual(whole);
  }
}

describe('ZeekLog checkpoints: the header state goes with the position', () => {
  it('the real sample, resumed mid-file, gives the records of an uninterrupted read', async () => {
    await expectResumesExactly(() => sourceOf(ZeekLog.conn(MIXED)) as Source<unknown>, 1000, [1, 4]);
  });

  it('resumed inside the second of two header blocks, its lines are read with that block\'s header', async () => {
    const lines = [HEADER, '1655071209.953394\tC1\t10.0.0.1\t80\t1.5\t100\tT\ta,b\tx\t-3', '#separator \\x7c', '#fields|uid|ts|n', '#types|string|time|count'];
    for (let i = 0; i < 20; i++) lines.push(`D${i}|${1655071300 + i}|${i}`);
    const path = tempFile('two-blocks.log', lines.join('\n') + '\n');
    await expectResumesExactly(() => sourceOf(ZeekLog.read(path)) as Source<unknown>, 3, [5, 6]);
    // without the saved header, the resumed lines would be read with the defaults: prove the state is what carries them
    const { position } = await takeThroughPump(sourceOf(ZeekLog.read(path)) as Source<unknown>, 6, 3);
    expect((position as { mapper: unknown }).mapper).toMatchObject({ separator: '|', fields: ['uid', 'ts', 'n'], types: ['string', 'time', 'count'] });
    const rest = await drain(await openSource(sourceOf(ZeekLog.read(path)) as Source<unknown>, position), 3, emptyObserved());
    expect(rest.deadLetters).toEqual([]);
    expect(rest.elements.length).toBeGreaterThan(0);
  });

  it('a saved state that is not a Zeek header is refused when the read resumes', async () => {
    const { position } = await takeThroughPump(sourceOf(ZeekLog.conn(MIXED)) as Source<unknown>, 1, 1000);
    await expect(openSource(sourceOf(ZeekLog.conn(MIXED)) as Source<unknown>, { ...(position as object), mapper: { fields: 3 } })).rejects.toThrow(/not a Zeek log header state/);
  });
});
