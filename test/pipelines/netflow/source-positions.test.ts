import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Source } from '../../../sdk/io/source.js';
import { netflowGeneratorSource } from '../../../pipelines/netflow/io/generator-source.js';
import { SensorLog } from '../../../pipelines/netflow/io/sensor-log-sources.js';
import { ZeekConnParser } from '../../../pipelines/netflow/readers/zeek-conn.js';
import { concat, drain, emptyObserved, observe, openSource, sourceOf, takeThroughPump, throughCheckpoint } from '../../support/source-reads.js';
import { sharedDataFile } from './shared-data.js';

/** Reads `source` whole, then for each cut: takes `take` batches through a read-ahead pump, resumes from the pump's position, and compares. */
async function expectResumesExactly(source: () => Source<unknown>, poll: number, takes: Iterable<number>): Promise<void> {
  const whole = await drain(await openSource(source()), poll);
  for (const take of takes) {
    const { taken, position, takenAll } = await takeThroughPump(source(), take, poll);
    const rest = takenAll ? emptyObserved() : await drain(await openSource(source(), position), poll);
    expect(concat(taken, rest)).toEqual(whole);
  }
}

/**
 * Micro-batch replay (design §e): a new reader held with `stopAt` at a position an earlier read took
 * (as logged, through JSON) returns exactly the input before it, then nothing (not done), and its
 * position deep-equals the logged one; lifted, it returns the rest.
 */
async function expectStopsExactly(source: () => Source<unknown>, poll: number, take: number): Promise<void> {
  const whole = await drain(await openSource(source()), poll);
  const { taken, position } = await takeThroughPump(source(), take, poll);
  const logged = JSON.parse(JSON.stringify(position)) as unknown;
  const r = await openSource(source());
  r.stopAt!(logged);
  const got = emptyObserved();
  for (let i = 0; i < take + 5; i++) {
    const b = await r.poll(poll, 0);
    expect(b.done).toBe(false);
    observe(got, b);
  }
  expect(got.elements).toEqual(taken.elements);
  expect(got.deadLetters).toEqual(taken.deadLetters);
  expect(throughCheckpoint(r.position!())).toEqual(logged);
  r.stopAt!(undefined);
  await drain(r, poll, got);
  expect(got.elements).toEqual(whole.elements);
  expect(got.deadLetters).toEqual(whole.deadLetters);
}

describe('Zeek conn.log positions: the header state is restored, not re-read', () => {
  // Two header sections with different separators' markers and column orders: lines after the cut
  // are only mapped right with the header state in force at the cut.
  const zeek = [
    '#separator \\x09',
    '#unset_field\t-',
    '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_bytes\tresp_bytes\torig_pkts\tresp_pkts',
    ...Array.from({ length: 40 }, (_, i) => `${1655071209 + i}.5\tC${i}\t10.0.0.${i % 250}\t${1000 + i}\t10.1.0.1\t80\ttcp\t0.1\t${i}\t-\t1\t1`),
    'not a record',
    '#unset_field\t?',
    '#fields\tuid\tts\tproto\tid.resp_h\tid.resp_p\tid.orig_h\tid.orig_p\tduration\torig_bytes\tresp_bytes\torig_pkts\tresp_pkts',
    ...Array.from({ length: 40 }, (_, i) => `D${i}\t${1655072209 + i}.25\tudp\t10.2.0.2\t53\t10.0.1.${i % 250}\t${2000 + i}\t?\t${i}\t7\t1\t1`),
  ].join('\n');

  it('every cut, through a read-ahead pump, gives the flows of an uninterrupted read (fast-check cut points)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'zeek-')), 'conn.log');
    writeFileSync(path, zeek);
    const source = (): Source<unknown> => sourceOf(SensorLog.zeekConn(path, { watermark: { maxOutOfOrderness: 60_000 } })) as Source<unknown>;
    const whole = await drain(await openSource(source()), 7);
    expect(whole.elements.length).toBe(80);
    expect(whole.deadLetters.length).toBe(1);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 13 }), fc.integer({ min: 1, max: 9 }), async (take, poll) => {
        await expectResumesExactly(source, poll, [take]);
      }),
      { numRuns: 30 },
    );
    // The position carries the header in force: the second section's columns after the cut.
    const { position } = await takeThroughPump(source(), 8, 7);
    expect(position).toMatchObject({ line: 56, mapper: { unsetField: '?', columns: ['uid', 'ts', 'proto', 'id.resp_h', 'id.resp_p', 'id.orig_h', 'id.orig_p', 'duration', 'orig_bytes', 'resp_bytes', 'orig_pkts', 'resp_pkts'] } });
  });

  it('the real Zeek sample (header once, then 9,000 lines): resumed after the header, the flows equal an uninterrupted read', async () => {
    const path = sharedDataFile('zeek-conn-mixed.log');
    await expectResumesExactly(() => sourceOf(SensorLog.zeekConn(path)) as Source<unknown>, 1000, [1, 4]);
  });

  it('stopAt holds a new reader exactly at a logged position, header state included, until lifted', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'zeek-')), 'conn.log');
    writeFileSync(path, zeek);
    const source = (): Source<unknown> => sourceOf(SensorLog.zeekConn(path, { watermark: { maxOutOfOrderness: 60_000 } })) as Source<unknown>;
    for (const take of [1, 6, 8]) await expectStopsExactly(source, 7, take);
  });

  it('ZeekConnParser.restore refuses what is not a snapshot', () => {
    expect(() => new ZeekConnParser().restore({ separator: 1 })).toThrow(RangeError);
    const p = new ZeekConnParser();
    p.read('#fields\tts\tuid');
    const q = new ZeekConnParser();
    q.restore(structuredClone(p.snapshot()));
    expect(q.fields).toEqual(['ts', 'uid']);
  });
});

describe('other Netflow inputs', () => {
  it('Suricata EVE (the real sample): resumed at any of a few cuts, equal to an uninterrupted read', async () => {
    const path = sharedDataFile('suricata-eve-flows.json');
    await expectResumesExactly(() => sourceOf(SensorLog.suricataEve(path, { watermark: { maxOutOfOrderness: 5_000 } })) as Source<unknown>, 700, [0, 3, 7]);
  });

  it('Netflow NDJSON lines', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nf-')), 'flows.ndjson');
    writeFileSync(path, Array.from({ length: 300 }, (_, i) => (i % 50 === 7 ? '' : JSON.stringify({ eventtime: 1_700_000_000 + i, n: 'é'.repeat(i % 5) }))).join('\r\n'));
    await expectResumesExactly(() => sourceOf(SensorLog.netflowNdjson(path, { watermark: { maxOutOfOrderness: 1000 } })) as Source<unknown>, 32, [0, 1, 5, 9, 10]);
  });

  it('stopAt holds the Suricata, NDJSON and generator readers exactly at a logged position until lifted', async () => {
    await expectStopsExactly(() => sourceOf(SensorLog.suricataEve(sharedDataFile('suricata-eve-flows.json'), { watermark: { maxOutOfOrderness: 5_000 } })) as Source<unknown>, 700, 3);
    const path = join(mkdtempSync(join(tmpdir(), 'nf-')), 'flows.ndjson');
    writeFileSync(path, Array.from({ length: 300 }, (_, i) => (i % 50 === 7 ? 'not json' : JSON.stringify({ eventtime: 1_700_000_000 + i }))).join('\n'));
    await expectStopsExactly(() => sourceOf(SensorLog.netflowNdjson(path, { watermark: { maxOutOfOrderness: 1000 } })) as Source<unknown>, 32, 5);
    await expectStopsExactly(() => netflowGeneratorSource({ count: 2000, seed: 7 }) as Source<unknown>, 128, 6);
  });

  it('the Netflow generator resumes by skipping the events it made before the position', async () => {
    await expectResumesExactly(() => netflowGeneratorSource({ count: 2000, seed: 7 }) as Source<unknown>, 128, [0, 1, 8, 15, 16]);
    await expect(openSource(netflowGeneratorSource({ count: 10 }) as Source<unknown>, { produced: 11, maxTs: 0 })).rejects.toMatchObject({ name: 'SourcePositionError', problem: 'malformed' });
  });
});
