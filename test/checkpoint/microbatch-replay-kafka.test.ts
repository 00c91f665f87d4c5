import { afterEach, describe, expect, it } from 'vitest';
import { CommittedStore } from '../../sdk/testing/committed-capture.js';
import { failpoints } from '../../sdk/testing/failpoints.js';
import { KafkaIO } from '../../transforms/io/kafka/index.js';
import { MapElements } from '../../transforms/map.js';
import { inMemoryKafka, type InMemoryRecord } from '../support/in-memory-kafka.js';
import { afterBatchZero, batching, crashAfterLoggingAll, entriesIn, keyOf, rowsOf, run, tmp, uninterrupted, type Input } from './replay-support.js';

/**
 * Micro-batch replay of the offset log (design §e) with KafkaIO.read: its position (offsets per
 * partition, event-time maximum per split) deep-equals the logged one where a replayed batch ends,
 * so the batches re-run with their logged boundaries. Uses the in-memory client (no broker).
 */

afterEach(() => failpoints.reset());

/** Two partitions of 60 records each; event time in the value. */
const topic = (): InMemoryRecord[][] =>
  [0, 1].map((p) => Array.from({ length: 60 }, (_, i) => ({ value: JSON.stringify({ k: keyOf(i + p), t: 1000 * p + i }), timestamp: 0 })));

const kafka: Input = () => ({
  name: 'KafkaKeys',
  expand: (p) =>
    p
      .apply('Read', KafkaIO.read<{ k: string; t: number }>({ client: inMemoryKafka({ t: topic() }), brokers: 'in-memory:0', topics: 't', startAt: 'earliest', bounded: true, timestamp: (v) => v.t }))
      .apply('Key', MapElements((v: { k: string; t: number }) => v.k)),
});

describe('micro-batch replay of the offset log, reading KafkaIO.read', () => {
  it('a crash after batches were logged but not checkpointed: the resumed run re-runs them with their logged boundaries and commits the panes of an uninterrupted run', async () => {
    const expected = await uninterrupted(batching(30), kafka);
    const batches = rowsOf(expected.result);
    expect(batches.reduce((n, b) => n + (b[1] as number), 0)).toBe(120);
    expect(batches.slice(0, 4).map((b) => b[1])).toEqual([30, 30, 30, 30]);
    expect((await uninterrupted(batching(50), kafka)).panes).not.toEqual(expected.panes);

    const dir = tmp('ck');
    const store = new CommittedStore<unknown>();
    const last = batches.length - 1;
    await crashAfterLoggingAll(dir, kafka, store, last);
    expect(afterBatchZero(entriesIn(dir)).map((e) => e.batchId)).toEqual(batches.slice(1).map((b) => b[0]));
    expect(afterBatchZero(entriesIn(dir))[0]!.ranges['In/Read']!.from).toMatchObject({ partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] });
    const resumed = await run({ ...batching(50), checkpointDir: dir }, kafka, store);
    expect(rowsOf(resumed)).toEqual(batches.slice(1).map(([id, rows]) => [id, rows, true]));
    expect(resumed.warnings).toEqual([]);
    expect(store.lines({ sorted: true })).toEqual(expected.panes);
  });
});
