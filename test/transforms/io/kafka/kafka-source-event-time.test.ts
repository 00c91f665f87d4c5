import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../sdk/clock.js';
import type { DeadLetter } from '../../../../sdk/dead-letter.js';
import type { SourceBatch } from '../../../../sdk/io/source.js';
import { Capture } from '../../../../sdk/testing/capture.js';
import { TIMESTAMP_MIN } from '../../../../sdk/time.js';
import { FixedWindows } from '../../../../sdk/windows/fixed-windows.js';
import { Count } from '../../../../transforms/combiners/count.js';
import { KafkaIO, KafkaSource, type KafkaReadOptions } from '../../../../transforms/io/kafka/index.js';
import { Window } from '../../../../transforms/window.js';
import { inMemoryKafka, type InMemoryRecord } from '../../../support/in-memory-kafka.js';
import { RUNNER_CONFIGS, runWith } from '../../../support/runners.js';

/**
 * A record whose event time cannot be had is dead-lettered and never moves its partition's
 * watermark (issue #12, point 2), whatever the event-time function does with it. The record
 * timestamps of the bad records are the producer's clock (2026), years after the events (2017).
 */
const T0 = Date.UTC(2017, 2, 20, 15, 45, 0);
const PRODUCER_CLOCK = Date.UTC(2026, 0, 1);
const ev = (t: number): InMemoryRecord => ({ value: JSON.stringify({ t }), timestamp: PRODUCER_CLOCK });
const BAD: { label: string; record: InMemoryRecord; reason: string }[] = [
  { label: 'a tombstone (the function throws on null)', record: { value: null, timestamp: PRODUCER_CLOCK }, reason: 'event-time-failed' },
  { label: 'malformed JSON', record: { value: '{"t":', timestamp: PRODUCER_CLOCK }, reason: 'malformed-json' },
  { label: 'no time (NaN)', record: { value: '{"u":1}', timestamp: PRODUCER_CLOCK }, reason: 'invalid-event-time' },
  { label: 'an infinite time', record: { value: '{"t":1e400}', timestamp: PRODUCER_CLOCK }, reason: 'invalid-event-time' },
  { label: 'a time beyond the end of the global window', record: { value: '{"t":1e300}', timestamp: PRODUCER_CLOCK }, reason: 'invalid-event-time' },
];
// good, bad..., good: the bad ones sit between two valid records of one partition
const RECORDS: InMemoryRecord[] = [ev(T0 + 1_000), ...BAD.map((b) => b.record), ev(T0 + 1_500), ev(T0 + 2_000)];
const eventTime = (v: { t: number } | null): number => (v as { t: number }).t * 1; // undefined → NaN; null → throws

function options(records: readonly InMemoryRecord[], extra: Partial<KafkaReadOptions<{ t: number } | null>> = {}): KafkaReadOptions<{ t: number } | null> {
  return { client: inMemoryKafka({ flows: [records] }), brokers: 'in-memory:0', topics: 'flows', startAt: 'earliest', bounded: true, timestamp: eventTime, watermark: { maxOutOfOrderness: 100 }, ...extra };
}

async function pollAll(source: KafkaSource<{ t: number } | null, unknown>): Promise<SourceBatch<unknown>[]> {
  const reader = await source.open({ step: 'Read', clock: new VirtualClock(0), signal: new AbortController().signal });
  const batches: SourceBatch<unknown>[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      const b = await reader.poll(1, 50); // one record per poll: the watermark after each
      batches.push(b);
      if (b.done) break;
    }
  } finally {
    await reader.close();
  }
  return batches;
}

describe('KafkaSource: records without a usable event time', () => {
  it('go to the dead letters with the reason and origin, and the watermark never passes the valid records', async () => {
    const batches = await pollAll(new KafkaSource(options(RECORDS), (v) => v));
    expect(batches.at(-1)!.done).toBe(true);
    const letters = batches.flatMap((b) => b.deadLetters ?? []);
    expect(letters.map((d) => [d.reason, d.origin])).toEqual(BAD.map((b, i) => [b.reason, { topic: 'flows', partition: 0, offset: String(i + 1) }]));
    expect(batches.flatMap((b) => b.elements.map((e) => e.timestamp))).toEqual([T0 + 1_000, T0 + 1_500, T0 + 2_000]);
    // The first record alone does not move the watermark (the forward-jump guard waits for a second
    // record to confirm it: it could be dated 2099); it stays there through every bad record.
    const marks = batches.map((b) => b.watermark);
    expect(marks.slice(0, 1 + BAD.length)).toEqual(Array(1 + BAD.length).fill(TIMESTAMP_MIN));
    expect(Math.max(...marks)).toBe(T0 + 1_900);
  });

  it("'record-timestamp': a record without a timestamp (-1) is dead-lettered, not stamped", async () => {
    const records = [{ value: '{}', timestamp: T0 }, { value: '{}', timestamp: -1 }, { value: '{}', timestamp: T0 + 500 }];
    const batches = await pollAll(new KafkaSource(options(records, { timestamp: 'record-timestamp' }), (v) => v));
    const letters = batches.flatMap((b) => b.deadLetters ?? []) as DeadLetter[];
    expect(letters.map((d) => [d.reason, d.origin?.['offset']])).toEqual([['invalid-event-time', '1']]);
    expect(batches.flatMap((b) => b.elements.map((e) => e.timestamp))).toEqual([T0, T0 + 500]);
    expect(batches.map((b) => b.watermark).filter((w) => w !== TIMESTAMP_MIN).every((w) => w <= T0 + 400)).toBe(true);
  });
});

describe.each(RUNNER_CONFIGS)('KafkaIO.read with bad event times on $label', ({ options: runner }) => {
  it('no valid record becomes late: the bad records are dead letters, the windows count every valid one', async () => {
    const { out, result } = await runWith(runner, (p) => {
      const read = p.apply('Read', KafkaIO.read<{ t: number } | null>(options(RECORDS, { bufferSize: 1 })));
      return {
        dead: read.deadLetters().apply('Dead', Capture.records()),
        counts: read.apply('Window', Window.into(FixedWindows(10_000))).apply('Count', Count.globally()).apply('Counts', Capture.records()),
      };
    });
    expect(out.dead.values().map((d) => d.reason)).toEqual(BAD.map((b) => b.reason));
    expect(out.counts.values()).toEqual([3]);
    expect(result.metrics['Read']!.deadLettered).toBe(BAD.length);
  });
});

describe('KafkaSource: one record dated far ahead (valid) does not move its partition watermark', () => {
  const Y2099 = Date.UTC(2099, 11, 31);
  const records = [ev(T0), ev(T0 + 1_000), ev(Y2099), ev(T0 + 1_500), ev(T0 + 2_000)];
  it('the watermark follows the other records; the 2099 one is still read', async () => {
    const batches = await pollAll(new KafkaSource(options(records, { watermark: { maxOutOfOrderness: 100 } }), (v) => v));
    expect(batches.flatMap((b) => b.elements.map((e) => e.timestamp))).toEqual([T0, T0 + 1_000, Y2099, T0 + 1_500, T0 + 2_000]);
    const marks = batches.map((b) => b.watermark).filter((w) => w !== TIMESTAMP_MIN);
    expect(Math.max(...marks)).toBe(T0 + 1_900);
  });

  it('maxForwardJump Infinity turns the guard off (the 2099 record moves the watermark)', async () => {
    const batches = await pollAll(new KafkaSource(options(records, { watermark: { maxOutOfOrderness: 100, maxForwardJump: Number.POSITIVE_INFINITY } }), (v) => v));
    expect(Math.max(...batches.map((b) => b.watermark))).toBe(Y2099 - 100);
  });
});
