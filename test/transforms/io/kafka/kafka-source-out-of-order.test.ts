/**
 * KafkaIO.read drops records of a partition that it already queued (a consumer restarted further
 * back). A record in a range it skipped over, though, was never read: the client handed out a later
 * batch before an earlier one. Dropping that as "already read" lost 21,667 records of a bounded
 * 1 M read with no error; the read now fails with a typed error naming the step and the partition.
 * Driven through a fake client (no broker).
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../sdk/clock.js';
import type { SourceReader } from '../../../../sdk/io/source.js';
import type { KafkaBatch } from '../../../../transforms/io/kafka/client.js';
import { KafkaSource } from '../../../../transforms/io/kafka/kafka-source.js';
import { KafkaRecordsMissingError } from '../../../../transforms/io/kafka/records-missing-error.js';
import { KafkaRecordsOutOfOrderError } from '../../../../transforms/io/kafka/records-out-of-order-error.js';
import { FakeCluster } from './fake-kafka.js';

/** A batch of partition 0 holding the given offsets (and accounting for `fetchOffset..nextOffset - 1`, if given). */
const batch = (offsets: readonly number[], fetchOffset?: number, nextOffset?: number): KafkaBatch => ({
  ...(fetchOffset === undefined ? {} : { fetchOffset: String(fetchOffset) }),
  ...(nextOffset === undefined ? {} : { nextOffset: String(nextOffset) }),
  topic: 't',
  partition: 0,
  highWatermark: '15',
  messages: offsets.map((o) => ({ topic: 't', partition: 0, offset: String(o), timestamp: 1_000 + o, key: null, value: Buffer.from(JSON.stringify(o)), headers: {} })),
});
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

async function open(): Promise<{ cluster: FakeCluster; reader: SourceReader<unknown> }> {
  const cluster = new FakeCluster();
  cluster.topics.set('t', [{ partition: 0, low: '0', high: '15' }]);
  const source = new KafkaSource<unknown, unknown>({ brokers: 'fake:1', client: cluster, topics: 't', startAt: 'earliest', bounded: true, logLevel: 'nothing' }, (v) => v);
  const reader = await source.open({ step: 'ReadEvents', clock: new VirtualClock(0), signal: new AbortController().signal });
  return { cluster, reader };
}

/** Polls until the read is done; the values handed out. */
async function drain(reader: SourceReader<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < 10; i++) {
    const b = await reader.poll(100, 0);
    out.push(...b.elements.map((e) => e.value));
    if (b.done) return out;
  }
  throw new Error('read not done');
}

describe('KafkaIO.read: records delivered out of order fail the read instead of being lost', () => {
  it('a batch arriving after a later one of its partition fails the read, naming step and partition', async () => {
    const { cluster, reader } = await open();
    try {
      const h = cluster.last.handler!;
      await h(batch(range(0, 5)));
      await h(batch(range(10, 15))); // 5..9 skipped
      await h(batch(range(5, 10))); // ...and arriving late
      const error = await drain(reader).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(KafkaRecordsOutOfOrderError);
      expect(error).toMatchObject({ step: 'ReadEvents', partition: 't/0', offsets: '5..9', after: '14', retriable: false });
      expect((error as Error).message).toMatch(/^ReadEvents: t\/0 got offsets 5\.\.9 after offset 14/);
    } finally {
      await reader.close();
    }
  });

  it('a batch whose client range starts past the next offset to read fails the read: the records between were lost', async () => {
    const { cluster, reader } = await open();
    try {
      const h = cluster.last.handler!;
      await h(batch(range(0, 5), 0));
      await h(batch(range(10, 15), 10)); // the client says its range starts at 10: 5..9 never came
      const error = await drain(reader).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(KafkaRecordsMissingError);
      expect(error).toMatchObject({ step: 'ReadEvents', partition: 't/0', offsets: '5..9', retriable: false });
    } finally {
      await reader.close();
    }
  });

  it('a client range that covers offsets without records (markers, compaction) is no loss', async () => {
    const { cluster, reader } = await open();
    try {
      const h = cluster.last.handler!;
      await h(batch(range(0, 5), 0));
      await h(batch(range(10, 15), 5)); // 5..9 hold no records for the consumer
      expect(await drain(reader)).toEqual([...range(0, 5), ...range(10, 15)]);
    } finally {
      await reader.close();
    }
  });

  it('a batch whose range ends past its last record (a commit marker) is no loss for the batch after it', async () => {
    const { cluster, reader } = await open();
    try {
      const h = cluster.last.handler!;
      await h(batch(range(0, 5), 0, 6)); // offset 5: the marker that committed 0..4
      await h(batch(range(6, 15), 6));
      expect(await drain(reader)).toEqual([...range(0, 5), ...range(6, 15)]);
    } finally {
      await reader.close();
    }
  });

  it('a skipped range (markers only) starting past the next offset to read fails the read too', async () => {
    const { cluster, reader } = await open();
    try {
      await cluster.last.handler!(batch(range(0, 5), 0, 5));
      cluster.last.onSkipped!({ topic: 't', partition: 0, fetchOffset: '8', nextOffset: '9' }); // 5..7 never came
      const error = await drain(reader).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(KafkaRecordsMissingError);
      expect(error).toMatchObject({ step: 'ReadEvents', partition: 't/0', offsets: '5..7' });
    } finally {
      await reader.close();
    }
  });

  it('a bounded read whose partition ends with offsets without records (a commit marker) finishes when the client says it read past them', async () => {
    const { cluster, reader } = await open();
    try {
      const h = cluster.last.handler!;
      await h(batch(range(0, 13), 0)); // 13, 14: the last record's commit marker and, say, an aborted record
      cluster.last.onSkipped!({ topic: 't', partition: 0, fetchOffset: '13', nextOffset: '15' });
      expect(await drain(reader)).toEqual(range(0, 13));
    } finally {
      await reader.close();
    }
  });

  it('records delivered again are still dropped, and offsets without records (markers) stay skipped: the read finishes', async () => {
    const { cluster, reader } = await open();
    try {
      const h = cluster.last.handler!;
      await h(batch(range(0, 5)));
      await h(batch([...range(2, 5), 6, 7])); // 2..4 again; 5 is a transaction marker
      await h(batch([8, ...range(10, 15)])); // 9 too
      await h(batch(range(6, 8))); // delivered again
      expect(await drain(reader)).toEqual([...range(0, 5), 6, 7, 8, ...range(10, 15)]);
    } finally {
      await reader.close();
    }
  });
});
