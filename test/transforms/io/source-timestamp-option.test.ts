import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ObservableSource } from '../../../rx/observable-source.js';
import { RxIO } from '../../../rx/rx-io.js';
import { ConflictingOptionsError, PipelineConstructionError } from '../../../sdk/errors.js';
import type { PCollection } from '../../../sdk/pcollection.js';
import { Pipeline } from '../../../sdk/pipeline.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { Generate } from '../../../transforms/io/generate.js';
import { KafkaIO, KafkaSource } from '../../../transforms/io/kafka/index.js';
import { TextFile } from '../../../transforms/io/text-file.js';
import { inMemoryKafka } from '../../support/in-memory-kafka.js';
import { RUNNERS, runWith } from '../../support/runners.js';

/**
 * Issue #17: every source takes its elements' event time under one option name, `timestamp`
 * (TextFile, Generate, KafkaIO, RxIO); KafkaIO's `eventTime` and RxIO's `timestampFn` are deprecated
 * aliases that behave the same, and giving a name and its alias at once is a ConflictingOptionsError
 * naming the step and the source.
 * codemod: keep-deprecated
 */
interface Click {
  readonly user: string;
  readonly at: number;
}
const CLICKS: readonly Click[] = [
  { user: 'ann', at: 5_000 },
  { user: 'bob', at: 1_000 },
  { user: 'cid', at: 61_000 },
];
const EXPECTED = CLICKS.map((c) => [c.user, c.at]);
const byAt = (c: Click): number => c.at;

const dir = mkdtempSync(join(tmpdir(), 'ws-timestamp-option-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ndjson = join(dir, 'clicks.ndjson');
writeFileSync(ndjson, CLICKS.map((c) => JSON.stringify(c)).join('\n') + '\n');

const kafka = () => inMemoryKafka({ clicks: [CLICKS.map((c) => ({ value: JSON.stringify(c), timestamp: 999 }))] });
const kafkaBase = () => ({ client: kafka(), brokers: 'in-memory:0', topics: 'clicks', startAt: 'earliest' as const, bounded: true });

/** The (user, event time) pairs a read gives, on a runner. */
async function stamped(runner: (typeof RUNNERS)[number]['options'], read: (p: Pipeline) => PCollection<Click>): Promise<unknown[]> {
  const { out } = await runWith(runner, (p) => read(p).apply('Out', Capture.records<Click>()));
  return out.records.map((r) => [r.value.user, r.timestamp]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

describe.each(RUNNERS)('the `timestamp` option of every source on $label', ({ options: runner }) => {
  it('TextFile.ndjson', async () => {
    expect(await stamped(runner, (p) => p.apply('Clicks', TextFile.ndjson<Click>(ndjson, { timestamp: byAt })))).toEqual(EXPECTED);
  });

  it('Generate.of', async () => {
    const got = await stamped(runner, (p) => p.apply('Clicks', Generate.of({ count: CLICKS.length, element: (i) => CLICKS[i]!, timestamp: (i) => CLICKS[i]!.at })));
    expect(got).toEqual(EXPECTED);
  });

  it('KafkaIO.read: `timestamp`, and the deprecated `eventTime` alike', async () => {
    const viaNew = await stamped(runner, (p) => p.apply('Clicks', KafkaIO.read<Click>({ ...kafkaBase(), timestamp: byAt })));
    const viaOld = await stamped(runner, (p) => p.apply('Clicks', KafkaIO.read<Click>({ ...kafkaBase(), eventTime: byAt })));
    expect(viaNew).toEqual(EXPECTED);
    expect(viaOld).toEqual(viaNew);
    // 'record-timestamp' under either name: the records' own timestamp
    const recordNew = await stamped(runner, (p) => p.apply('Clicks', KafkaIO.read<Click>({ ...kafkaBase(), timestamp: 'record-timestamp' })));
    const recordOld = await stamped(runner, (p) => p.apply('Clicks', KafkaIO.read<Click>({ ...kafkaBase(), eventTime: 'record-timestamp' })));
    expect(recordNew).toEqual(CLICKS.map((c) => [c.user, 999]));
    expect(recordOld).toEqual(recordNew);
  });

  it('RxIO.read: `timestamp`, and the deprecated `timestampFn` alike', async () => {
    const viaNew = await stamped(runner, (p) => p.apply('Clicks', RxIO.read(from(CLICKS), { timestamp: byAt, bounded: true })));
    const viaOld = await stamped(runner, (p) => p.apply('Clicks', RxIO.read(from(CLICKS), { timestampFn: byAt, bounded: true })));
    expect(viaNew).toEqual(EXPECTED);
    expect(viaOld).toEqual(viaNew);
  });
});

describe('a name and its deprecated alias both given', () => {
  function thrownBy(f: () => unknown): ConflictingOptionsError {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ConflictingOptionsError);
      return e as ConflictingOptionsError;
    }
    throw new Error('nothing was thrown');
  }

  it('KafkaIO.read: a ConflictingOptionsError naming the step and the source, when applied', () => {
    const p = Pipeline.create([]);
    const read = KafkaIO.read<Click>({ ...kafkaBase(), timestamp: byAt, eventTime: 'record-timestamp' });
    const e = thrownBy(() => p.apply('Clicks', read));
    expect(e).toBeInstanceOf(PipelineConstructionError);
    expect([e.step, e.source, e.option, e.alias]).toEqual(['Clicks', 'KafkaIO.read(clicks)', 'timestamp', 'eventTime']);
    expect(e.message).toContain("step 'Clicks' (KafkaIO.read(clicks))");
  });

  it('RxIO.read: a ConflictingOptionsError naming the step and the source, when applied', () => {
    const p = Pipeline.create([]);
    const e = thrownBy(() => p.apply('Clicks', RxIO.read(from(CLICKS), { timestamp: byAt, timestampFn: byAt })));
    expect([e.step, e.source, e.option, e.alias]).toEqual(['Clicks', 'Observable', 'timestamp', 'timestampFn']);
  });

  it('a source constructed directly: a ConflictingOptionsError naming the source', () => {
    const k = thrownBy(() => new KafkaSource<Click, Click>({ ...kafkaBase(), timestamp: byAt, eventTime: byAt }, (v) => v));
    expect([k.step, k.source, k.alias]).toEqual([undefined, 'KafkaIO.read(clicks)', 'eventTime']);
    const o = thrownBy(() => new ObservableSource(from(CLICKS), { timestamp: byAt, timestampFn: byAt }));
    expect([o.step, o.source, o.alias]).toEqual([undefined, 'Observable', 'timestampFn']);
  });
});
