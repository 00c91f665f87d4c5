import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Capture } from '../../../sdk/testing/capture.js';
import { Pipeline } from '../../../sdk/pipeline.js';
import { netflowConfigFromArgs } from '../../../bin/netflow-command.js';
import { SensorLog } from '../../../pipelines/netflow/io/sensor-log-sources.js';
import { NetflowJob, type NetflowPair } from '../../../pipelines/netflow/netflow-job.js';
import { runNetflowApp } from '../../../pipelines/netflow/netflow-app.js';
import { formatNetflowSummary } from '../../../pipelines/netflow/netflow-summary.js';
import type { PipelineOptions } from '../../../sdk/options.js';
import { runWith } from '../../support/runners.js';
import { sharedDataFile } from './shared-data.js';

/**
 * One valid row dated 2099 (inside the job's accepted 1970..2100) in a real Zeek log read with
 * `--maxOutOfOrderness=1h`: before the forward-jump guard, it moved the watermark to 2099 and most
 * rows after it were dropped as late. Now it is held from the watermark (and still paired, alone in
 * its own window), and every other row is paired as in the clean file.
 */
const FUTURE_TS = '4102444000.000000'; // 2099-12-31
const ONE_HOUR = 3_600_000;

function withOneFutureRow(): { clean: string; outlier: string; uid: string } {
  const clean = sharedDataFile('zeek-conn-mixed.log');
  const lines = readFileSync(clean, 'utf8').split('\n');
  const rows = lines.map((l, i) => [l, i] as const).filter(([l]) => l !== '' && !l.startsWith('#'));
  const [row, at] = rows[Math.floor(rows.length / 8)]!; // early in the file, so most rows come after it
  const cells = row.split('\t');
  cells[0] = FUTURE_TS;
  lines[at] = cells.join('\t');
  const dir = mkdtempSync(join(tmpdir(), 'future-outlier-'));
  const outlier = join(dir, 'conn.log');
  writeFileSync(outlier, lines.join('\n'));
  return { clean, outlier, uid: cells[1]! };
}

/** One configuration per runner, with batches small enough that the watermark moves while the file is read. */
const STREAMING: readonly { label: string; options: Partial<PipelineOptions> }[] = [
  { label: 'native', options: { runner: 'native' } },
  { label: 'microbatch', options: { runner: 'microbatch', batchInterval: 'asap', maxBatchSize: 256 } },
];

describe.each(STREAMING)('one Zeek row dated 2099 does not move event time, on $label', ({ options }) => {
  it('gives the pairs of the clean file (less those of the moved row) and late drops, and loses no record', async () => {
    const { clean, outlier, uid } = withOneFutureRow();
    const run = (path: string) =>
      runWith(options, (p) => {
        const job = p.apply('Read', SensorLog.zeekConn(path, { watermark: { maxOutOfOrderness: ONE_HOUR } })).apply('Netflow', NetflowJob.of());
        return { pairs: job.pairs.apply('Pairs', Capture.records()) };
      });
    const a = await run(clean);
    const b = await run(outlier);
    const key = (x: NetflowPair) => `${x.eventid_1}|${x.eventid_2}|${x.window_start}`;
    const cleanPairs = a.out.pairs.values().map(key).sort();
    const outlierPairs = b.out.pairs.values().map(key).sort();
    expect(b.result.metrics['Netflow/GroupByKey']!.lateDropped).toBe(a.result.metrics['Netflow/GroupByKey']!.lateDropped);
    expect(outlierPairs).toEqual(cleanPairs.filter((k) => !k.split('|').slice(0, 2).includes(uid)));
    // every record reached its group, the 2099 one too (alone in its window): nothing was lost
    expect(b.result.metrics['Netflow/GroupByKey']!.elementsIn).toBe(a.result.metrics['Netflow/GroupByKey']!.elementsIn);
  });

  it('through the Netflow command: no more late drops than the clean file, and the summary says one record was held from the watermark', async () => {
    const { clean, outlier } = withOneFutureRow();
    const c = await runNetflowApp(Pipeline.create(options), netflowConfigFromArgs([`--input=zeek:${clean}`, '--maxOutOfOrderness=1h']));
    const s = await runNetflowApp(Pipeline.create(options), netflowConfigFromArgs([`--input=zeek:${outlier}`, '--maxOutOfOrderness=1h']));
    expect(c.heldFromWatermark).toBeUndefined();
    expect(s.lateDropped).toBe(c.lateDropped); // the clean file's own disorder beyond 1 h (11 rows), nothing more
    expect(s.heldFromWatermark?.held).toBe(1);
    expect(formatNetflowSummary(s)).toMatch(/1 record ahead of event time by up to 7\d years held from the watermark/);
  });

  it('--maxForwardJump=off restores the unguarded watermark (the 2099 row makes later rows late)', async () => {
    const { outlier } = withOneFutureRow();
    const s = await runNetflowApp(Pipeline.create(options), netflowConfigFromArgs([`--input=zeek:${outlier}`, '--maxOutOfOrderness=1h', '--maxForwardJump=off']));
    expect(s.lateDropped).toBeGreaterThan(1000);
    expect(s.heldFromWatermark).toBeUndefined();
  });
});

describe('--maxForwardJump is a strict flag', () => {
  it('refuses a value that is not a duration or off', () => {
    expect(() => netflowConfigFromArgs(['--maxOutOfOrderness=1h', '--maxForwardJump=soon'])).toThrow(/--maxForwardJump: 'soon' is not a duration/);
  });
});
