import { appendFileSync, copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../sdk/dead-letter.js';
import { Pipeline } from '../../../sdk/pipeline.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { Create } from '../../../transforms/create.js';
import { runNetflowApp } from '../../../pipelines/netflow/netflow-app.js';
import { NetflowJob } from '../../../pipelines/netflow/netflow-job.js';
import { RUNNERS, runWith } from '../../support/runners.js';
import { sharedDataFile } from './shared-data.js';

/**
 * Issue #12, point 3: one flow with an extreme value (bytes_toserver 2e154, which squares to
 * Infinity) stopped the run with "step 'WritePairs' failed ... distance is Infinity" after a few
 * pairs. Such a value is out of range when the flow is parsed (dead letter `out-of-range`), and a
 * distance that is not finite for any other reason dead-letters its pair instead of aborting.
 */
describe.each(RUNNERS)('extreme values on $label', ({ options }) => {
  it('the Suricata sample plus one flow with bytes_toserver 2e154: the flow is rejected out-of-range, every other pair written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netflow-extreme-'));
    const sample = sharedDataFile('suricata-eve-flows.json');
    const plain = join(dir, 'plain.json');
    const extreme = join(dir, 'extreme.json');
    copyFileSync(sample, plain);
    copyFileSync(sample, extreme);
    const first = readFileSync(sample, 'utf8').split('\n').find((l) => l.includes('"event_type":"flow"'))!;
    const flow = JSON.parse(first) as { flow_id: number; flow: Record<string, unknown> };
    const line = JSON.stringify({ ...flow, flow_id: 1, flow: { ...flow.flow, bytes_toserver: 2e154 } });
    appendFileSync(extreme, `${line}\n`);

    const run = async (input: string, out: string) =>
      runNetflowApp(Pipeline.create(options), { input: { kind: 'suricata', path: input }, output: { kind: 'ndjson', path: out }, job: { scaling: 'none', histogram: false } });
    const before = await run(plain, join(dir, 'plain-pairs.ndjson'));
    const after = await run(extreme, join(dir, 'extreme-pairs.ndjson'));
    expect(before.pairs.pairs).toBeGreaterThan(100);
    expect(after.pairs.pairs).toBe(before.pairs.pairs);
    expect(readFileSync(join(dir, 'extreme-pairs.ndjson'), 'utf8').split('\n').length - 1).toBe(before.pairs.pairs);
    expect(after.rejected).toEqual({ ...before.rejected, 'out-of-range': (before.rejected['out-of-range'] ?? 0) + 1 });
    const letter = after.rejectedExamples.find((d) => d.reason === 'out-of-range')!;
    expect(letter.message).toBe('in_bytes is 2e+154, above 9007199254740991');
    expect(String(letter.element)).toContain('"eventid":"1"');
  });

  it('a distance that is not finite for any other reason (scaling that overflows) dead-letters its pair, and the run goes on', async () => {
    const base = { src_ip4: 167772161, dst_ip4: 167772162, src_port: 1000, dst_port: 80, duration: 1, in_packets: 2, out_bytes: 50, out_packets: 1, nproto: 'TCP' };
    const ev = (id: string, t: number, inBytes: number) => JSON.stringify({ eventid: id, ...base, in_bytes: inBytes, eventtime: 1490024700 + t });
    // a divisor of 1e-300 makes in_bytes 1e306-ish: the square of a difference overflows unless it is 0
    const lines = [ev('a', 0.1, 7), ev('b', 0.2, 7), ev('c', 0.3, 9_000_000_000_000)];
    const { out, result } = await runWith(options, (p) => {
      const job = p.apply(Create(lines)).apply('Netflow', NetflowJob.of({ scaling: { divisors: { in_bytes: 1e-300 } }, topN: 2 }));
      return { pairs: job.pairs.apply('Pairs', Capture.records()), rejected: job.rejected.apply('Rejected', Capture.records()), top: job.top!.apply('Top', Capture.records()) };
    });
    expect(out.pairs.values().map((p) => [p.eventid_1, p.eventid_2, p.distance])).toEqual([['a', 'b', 0]]);
    const letters = out.rejected.values() as DeadLetter[];
    expect(letters.map((d) => [d.step, d.reason, (d.element as { eventid_1: string }).eventid_1, (d.element as { eventid_2: string }).eventid_2]).sort()).toEqual([
      ['Netflow/Pairs', 'non-finite-distance', 'a', 'c'],
      ['Netflow/Pairs', 'non-finite-distance', 'b', 'c'],
    ]);
    expect(letters[0]!.message).toBe('distance is Infinity');
    expect(letters[0]!.window).toBeDefined();
    expect(result.metrics['Netflow/Pairs']!.counters).toMatchObject({ pairs: 1, 'rejected.non-finite-distance': 2 });
    expect(out.top.values().flatMap((t) => t.pairs.map((p) => p.distance))).toEqual([0]);
  });
});
