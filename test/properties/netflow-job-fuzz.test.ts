import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import { Capture } from '../../sdk/testing/capture.js';
import { Create } from '../../transforms/create.js';
import { LineSourceStats } from '../../transforms/io/text-file.js';
import type { FlowRecord } from '../../pipelines/netflow/flow-record.js';
import { SensorLog } from '../../pipelines/netflow/io/sensor-log-sources.js';
import { NetflowJob, type NetflowPair } from '../../pipelines/netflow/netflow-job.js';
import { referencePairs } from '../../pipelines/netflow/reference.js';
import { RUNNER_CONFIGS, runWith } from '../support/runners.js';
import { arbFlowSpecs, arbGarbageLine, interleave, lineReader, netflowLine, suricataLine } from './netflow-arbitraries.js';

/**
 * Issue #12: the whole Netflow job, fed valid records with garbage mixed in (random bytes, random
 * text, mutated valid records), on both runners. Every input line is accounted for (a flow, a line
 * the reader skips, or a dead letter with a reason), nothing aborts the run, and the pairs among the
 * valid records are exactly the pairs of the valid records alone. Kept small: a few dozen runs.
 */
// native with bundles and buffers of one element: the watermark moves after every line, as strictly as it can
const RUNNERS = RUNNER_CONFIGS.filter((c) => c.label === 'native(bundle=1)' || c.label === 'microbatch(asap)');
const dir = mkdtempSync(join(tmpdir(), 'netflow-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pairKey = (p: { eventid_1: string; eventid_2: string; distance: number }) => `${p.eventid_1}|${p.eventid_2}|${p.distance}`;
const referenceKeys = (records: Iterable<FlowRecord>) => [...referencePairs(records).values()].flat().map(pairKey).sort();
const validRecords = (reader: 'suricata' | 'ndjson', lines: readonly string[]): FlowRecord[] => {
  const read = lineReader(reader);
  return lines.map((l) => {
    const o = read(l);
    if (o.kind !== 'flow') throw new Error(`test data: not a valid flow: ${l}`);
    return o.record;
  });
};

describe.each(RUNNERS)('the Netflow job fuzzed with garbage on $label', ({ options }) => {
  it('raw Netflow lines: every line is a flow or a dead letter with a reason; the valid records pair as alone', async () => {
    await fc.assert(
      fc.asyncProperty(arbFlowSpecs(14), fc.array(fc.tuple(fc.nat(), arbGarbageLine('ndjson')), { maxLength: 14 }), async (specs, garbage) => {
        const valid = specs.map(netflowLine);
        const { lines } = interleave(valid, garbage);
        const { out } = await runWith(options, (p) => {
          const job = p.apply(Create(lines)).apply('Netflow', NetflowJob.of());
          return { pairs: job.pairs.apply('Pairs', Capture.records()), rejected: job.rejected.apply('Rejected', Capture.records()), flows: job.flows.apply('Flows', Capture.records()) };
        });
        const flows = out.flows.values().map((f) => f.record);
        const letters = out.rejected.values() as DeadLetter[];
        // accounted for: each line once, as a flow or as a dead letter with its reason and the raw line
        expect(flows.length + letters.length).toBe(lines.length);
        for (const d of letters) {
          expect(d.reason).toMatch(/^[a-z0-9-]+$/);
          expect(d.message).not.toBe('');
          expect(lines).toContain(d.element);
        }
        const validIds = new Set(specs.map((s) => String(s.id)));
        expect(flows.filter((r) => validIds.has(r.eventid)).map((r) => r.eventid).sort()).toEqual([...validIds].sort());
        // the pairs: as the plain computation over what was accepted, and among the valid records as if alone
        const pairs = out.pairs.values() as NetflowPair[];
        expect(pairs.map(pairKey).sort()).toEqual(referenceKeys(flows));
        const amongValid = pairs.filter((p) => validIds.has(p.eventid_1) && validIds.has(p.eventid_2));
        expect(amongValid.map(pairKey).sort()).toEqual(referenceKeys(validRecords('ndjson', valid)));
      }),
      { numRuns: 25, seed: 12_0301 },
    );
  });

  it('a Suricata EVE file read while windows fire: every line accounted for, the valid records pair as alone, none late', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(arbFlowSpecs(10), fc.array(fc.tuple(fc.nat(), arbGarbageLine('suricata')), { maxLength: 12 }), async (specs, garbage) => {
        const valid = specs.map(suricataLine);
        const { lines } = interleave(valid, garbage);
        const path = join(dir, `eve-${run++}.json`);
        writeFileSync(path, lines.join('\n') + '\n');
        const stats = new LineSourceStats();
        const { out, result } = await runWith(options, (p) => {
          // a watermark 60 s behind the latest event time: the valid flows span 12 s, so only a
          // record stamped with an absurd time could make one of them late
          const read = p.apply('Read', SensorLog.suricataEve(path, { stats, watermark: { maxOutOfOrderness: 60_000 } }));
          const job = read.apply('Netflow', NetflowJob.of());
          return {
            dead: read.deadLetters().apply('Dead', Capture.records()),
            pairs: job.pairs.apply('Pairs', Capture.records()),
            rejected: job.rejected.apply('Rejected', Capture.records()),
            flows: job.flows.apply('Flows', Capture.records()),
          };
        });
        const skipped = Object.values(stats.skipped).reduce((a, b) => a + b, 0);
        const dead = out.dead.values() as DeadLetter[];
        // the file's lines (a line of random bytes may hold several once written) each once: skipped, dead-lettered at read, or in the job
        expect(stats.lines).toBe(skipped + dead.length + stats.elements);
        expect(stats.elements).toBe(out.flows.values().length + out.rejected.values().length);
        for (const d of [...dead, ...(out.rejected.values() as DeadLetter[])]) expect(d.reason).toMatch(/^[a-z0-9-]+$/);
        expect(result.metrics['Netflow/GroupByKey']!.lateDropped).toBe(0);
        const validIds = new Set(specs.map((s) => String(s.id)));
        const pairs = (out.pairs.values() as NetflowPair[]).filter((p) => validIds.has(p.eventid_1) && validIds.has(p.eventid_2));
        expect(pairs.map(pairKey).sort()).toEqual(referenceKeys(validRecords('suricata', valid)));
      }),
      { numRuns: 15, seed: 12_0302 },
    );
  });
});
