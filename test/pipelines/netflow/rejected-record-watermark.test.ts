import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Capture } from '../../../sdk/testing/capture.js';
import type { PipelineOptions } from '../../../sdk/options.js';
import { TIMESTAMP_MIN } from '../../../sdk/time.js';
import { netflowLineDeserializer, netflowRecordEventTime } from '../../../pipelines/netflow/io/netflow-kafka-source.js';
import { SensorLog } from '../../../pipelines/netflow/io/sensor-log-sources.js';
import { NetflowJob } from '../../../pipelines/netflow/netflow-job.js';
import { runWith } from '../../support/runners.js';
import { flow } from './test-records.js';

/**
 * A record the job rejects must not move the watermark: before, a source stamped a line with its
 * `eventtime` before the job validated the rest, so one rejected line dated 2099 (a bad address,
 * IPv6, a negative count, a nested or repeated `eventtime`) pushed the watermark to 2099 and every
 * good record after it was dropped as late. Sources read one line per poll here, so the watermark
 * moves between lines on both runners.
 */
const ONE_LINE_PER_POLL: readonly { label: string; options: Partial<PipelineOptions> }[] = [
  { label: 'native', options: { runner: 'native', bundleSize: 1, bufferSize: 1 } },
  { label: 'microbatch', options: { runner: 'microbatch', batchInterval: 'asap', maxBatchSize: 1 } },
];

const FUTURE = 4102444000; // 2099-12-31, within the range the job accepts (1970..2100)
const good = (i: number) => JSON.stringify(flow({ eventid: `g${i}`, in_bytes: i, eventtime: 1490024700 + i / 100 }));
/** Lines the job rejects, each dated (or seemingly dated) 2099. */
const REJECTED: readonly [string, string][] = [
  ['invalid-ip', JSON.stringify({ ...flow({ eventid: 'bad-ip', eventtime: FUTURE }), src_ip4: 'not an address' })],
  ['negative-count', JSON.stringify(flow({ eventid: 'negative', in_bytes: -1, eventtime: FUTURE }))],
  ['ipv6', JSON.stringify({ ...flow({ eventid: 'v6', eventtime: FUTURE }), src_ip6: 'fe80::1' })],
  ['missing-field', `{"inner":{"eventtime":${FUTURE}},${JSON.stringify({ ...flow({ eventid: 'nested' }), eventtime: undefined }).slice(1)}`],
];

describe.each(ONE_LINE_PER_POLL)('a rejected record never moves the watermark, on $label', ({ options }) => {
  it('NDJSON input: the good records after rejected ones dated 2099 are paired, none late', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rejected-watermark-'));
    const path = join(dir, 'flows.ndjson');
    const lines = [good(0), good(1), ...REJECTED.map(([, l]) => l), good(2), good(3)];
    writeFileSync(path, `${lines.join('\n')}\n`);
    const { out, result } = await runWith(options, (p) => {
      const job = p.apply('Read', SensorLog.netflowNdjson(path, { watermark: { maxOutOfOrderness: 1000 } })).apply('Netflow', NetflowJob.of());
      return { pairs: job.pairs.apply('Pairs', Capture.records()), rejected: job.rejected.apply('Rejected', Capture.records()), late: job.late.apply('Late', Capture.records()) };
    });
    expect(out.rejected.values().map((d) => d.reason).sort()).toEqual(REJECTED.map(([r]) => r).sort());
    expect(out.late.values()).toEqual([]);
    expect(result.metrics['Netflow/GroupByKey']!.lateDropped).toBe(0);
    expect(out.pairs.values()).toHaveLength(6); // the 4 good records, one key and window: every pair
  });

  it('Zeek input: a row the job rejects (a negative byte count) dated 2099 leaves the rows after it on time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rejected-watermark-'));
    const path = join(dir, 'conn.log');
    const row = (ts: string, uid: string, bytes = '100') => `${ts}\t${uid}\t10.0.0.1\t1000\t10.0.0.2\t80\ttcp\t1.5\t${bytes}\t200\t2\t3`;
    writeFileSync(
      path,
      [
        '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_bytes\tresp_bytes\torig_pkts\tresp_pkts',
        row('1655071209.5', 'Ca'),
        row(String(FUTURE), 'Cbad', '-5'),
        row('1655071209.6', 'Cb'),
        row('1655071209.7', 'Cc'),
      ].join('\n'),
    );
    const { out, result } = await runWith(options, (p) => {
      const job = p.apply('Read', SensorLog.zeekConn(path, { watermark: { maxOutOfOrderness: 1000 } })).apply('Netflow', NetflowJob.of());
      return { pairs: job.pairs.apply('Pairs', Capture.records()), rejected: job.rejected.apply('Rejected', Capture.records()) };
    });
    expect(out.rejected.values().map((d) => [d.reason, d.origin])).toEqual([['negative-count', { file: path, line: 3 }]]);
    expect(result.metrics['Netflow/GroupByKey']!.lateDropped).toBe(0);
    expect(out.pairs.values().map((p) => `${p.eventid_1}-${p.eventid_2}`).sort()).toEqual(['Ca-Cb', 'Ca-Cc', 'Cb-Cc']);
  });
});

describe('the Kafka input stamps a record the job rejects with the minimum timestamp', () => {
  const at = { topic: 't', partition: 0, offset: '7' };
  it('so it never moves its partition watermark; an accepted record gets its eventtime; an unreadable one is a dead letter', () => {
    for (const [reason, text] of REJECTED) {
      if (reason === 'missing-field') expect(() => netflowRecordEventTime({ text, origin: at })).toThrow(/eventtime is missing/); // only a nested one: a dead letter of the read
      else expect(netflowRecordEventTime({ text, origin: at }), text).toBe(TIMESTAMP_MIN);
    }
    expect(netflowRecordEventTime({ text: good(5), origin: at })).toBe(1490024700050);
    expect(() => netflowRecordEventTime({ text: '{"eventid":"1"}', origin: at })).toThrow(/eventtime is missing/);
    expect(() => netflowRecordEventTime({ text: '{ not json', origin: at })).toThrow();
  });
});

describe('the Kafka input refuses a value that is not valid UTF-8', () => {
  it('as a dead letter (invalid-utf8), never decoded into U+FFFD', () => {
    const record = { topic: 't', partition: 0, offset: '3', key: null, value: null, timestamp: '0', headers: {} } as unknown as Parameters<typeof netflowLineDeserializer>[1];
    const bytes = Buffer.concat([Buffer.from(good(1).slice(0, -1)), Buffer.from(',"x":"\xff"}', 'latin1')]);
    expect(() => netflowLineDeserializer(bytes, record)).toThrow(expect.objectContaining({ reason: 'invalid-utf8' }));
    expect(netflowLineDeserializer(Buffer.from(good(1)), record)).toEqual({ text: good(1), origin: { topic: 't', partition: 0, offset: '3' } });
  });
});
