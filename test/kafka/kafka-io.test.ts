import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../runners/system-clock.js';
import { VirtualClock } from '../../sdk/clock.js';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import { SourceError, UserCodeError } from '../../sdk/errors.js';
import type { SourceBatch, SourceContext } from '../../sdk/io/source.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TIMESTAMP_MIN, seconds } from '../../sdk/time.js';
import type { IntervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import {
  KafkaIO,
  KafkaRecordTooLargeError,
  KafkaSource,
  KafkaUnavailableError,
  Serde,
  type KafkaAdmin,
  type KafkaClientFactory,
  type KafkaDeadLetterRecord,
  type KafkaOutgoingMessage,
  type KafkaRecord,
} from '../../transforms/io/kafka/index.js';
import { RUNNERS, runWith } from '../support/runners.js';
import { KAFKA_CLIENTS } from './kafka-clients.js';
import { kafkaDescribe } from './kafka-test-env.js';
import { withSilentListener } from './silent-listener.js';

const topicName = (what: string): string => `watershed-kafkaio-${what}-${randomUUID()}`;

interface Ev {
  id: number;
  user: string;
}

/** Event-time fixture: per partition, timestamps over [BASE, BASE + 60 s), locally out of order by < 1.5 s. */
const BASE = 1_700_000_000_000;
function eventTimes(partition: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 40; i++) out.push(BASE + i * 1_500 + ((i * 7 + partition * 3) % 5) * 100);
  // swap neighbours: out of order, by less than maxOutOfOrderness (2 s)
  for (let i = 0; i + 1 < out.length; i += 3) [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
  return out;
}

for (const via of KAFKA_CLIENTS) kafkaDescribe(`KafkaIO against a real broker (${via.label} client)`, (env) => {
  let kafka: KafkaClientFactory;
  let admin: KafkaAdmin;
  const topics: string[] = [];

  beforeAll(async () => {
    kafka = via.factory(env.brokers, 'error');
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect();
  });

  const createTopic = async (what: string, partitions = 3): Promise<string> => {
    const topic = topicName(what);
    topics.push(topic);
    await admin.createTopics([{ topic, partitions }]);
    return topic;
  };

  /** Writes `byPartition[p]` to partition p, in order, one send per partition. */
  const produce = async (topic: string, byPartition: KafkaOutgoingMessage[][]): Promise<void> => {
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (let p = 0; p < byPartition.length; p++) {
        if (byPartition[p]!.length > 0) await producer.send(topic, byPartition[p]!.map((m) => ({ ...m, partition: p })));
      }
    } finally {
      await producer.disconnect();
    }
  };

  describe.each(RUNNERS)('on $label', ({ options }) => {
    it('round trip through a 3-partition topic: write with a pipeline, read back bounded', async () => {
      const topic = await createTopic('roundtrip');
      const events: Ev[] = Array.from({ length: 300 }, (_, id) => ({ id, user: `u${id % 23}` }));
      const { result: written } = await runWith(options, (p) =>
        p
          .apply('Events', Create(events))
          .apply('Write', KafkaIO.write<Ev>({ brokers: env.brokers, client: via.client, topic, key: (e) => e.user, headers: (e) => ({ 'x-id': String(e.id) }) })),
      );
      expect(written.metrics['Write']?.elementsIn).toBe(300);
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(300);
      expect(offsets.filter((o) => Number(o.high) > 0)).toHaveLength(3); // keys spread over every partition

      const { out } = await runWith(options, (p) =>
        p.apply('Read', KafkaIO.read<Ev>({ brokers: env.brokers, client: via.client, topics: topic, startAt: 'earliest', bounded: true, withMetadata: true })).apply(Capture.records()),
      );
      const records = out.values() as KafkaRecord<Ev>[];
      expect(records.map((r) => r.value).sort((a, b) => a.id - b.id)).toEqual(events);
      for (const r of records) {
        expect(r.topic).toBe(topic);
        expect(r.key).toBe(r.value.user);
        expect(r.headers['x-id']?.map(String)).toEqual([String(r.value.id)]);
      }
      // one key always lands in one partition; offsets are dense per partition
      const partitionOf = new globalThis.Map<string, number>();
      for (const r of records) {
        expect(partitionOf.get(r.key!) ?? r.partition).toBe(r.partition);
        partitionOf.set(r.key!, r.partition);
      }
      for (const o of offsets) {
        const mine = records.filter((r) => r.partition === o.partition).map((r) => Number(r.offset)).sort((a, b) => a - b);
        expect(mine).toEqual(Array.from({ length: Number(o.high) }, (_, i) => i));
      }
    });

    it('write with a byte encoder: keyless values go out as blocks (batchSize 7: many sends), keyed ones record by record; both read back exactly', async () => {
      const blockTopic = await createTopic('encoder-block');
      const keyedTopic = await createTopic('encoder-keyed');
      const events: Ev[] = Array.from({ length: 500 }, (_, id) => ({ id, user: `u${id % 11}-${'ü'.repeat(id % 3)}` }));
      const encoder = (e: Ev, buf: Buffer, at: number): number => {
        const text = JSON.stringify(e);
        const n = Buffer.byteLength(text);
        if (at + n > buf.length) return -1;
        buf.write(text, at, 'utf8');
        return at + n;
      };
      await runWith(options, (p) => {
        const ev = p.apply('Events', Create(events));
        ev.apply('WriteBlocks', KafkaIO.write<Ev>({ brokers: env.brokers, client: via.client, topic: blockTopic, encoder, batchSize: 7, maxInFlightSends: 2 }));
        ev.apply('WriteKeyed', KafkaIO.write<Ev>({ brokers: env.brokers, client: via.client, topic: keyedTopic, encoder, key: (e) => e.user }));
      });
      for (const topic of [blockTopic, keyedTopic]) {
        const offsets = await admin.fetchTopicOffsets(topic);
        expect(offsets.reduce((n, o) => n + Number(o.high), 0), topic).toBe(500);
        expect(offsets.filter((o) => Number(o.high) > 0), topic).toHaveLength(3);
        const { out } = await runWith(options, (p) =>
          p.apply('Read', KafkaIO.read<Ev>({ brokers: env.brokers, client: via.client, topics: topic, startAt: 'earliest', bounded: true, withMetadata: true })).apply(Capture.records()),
        );
        const records = out.values() as KafkaRecord<Ev>[];
        expect(records.map((r) => r.value).sort((a, b) => a.id - b.id)).toEqual(events);
        for (const r of records) expect(r.key).toBe(topic === keyedTopic ? r.value.user : null);
      }
    });

    it('event-time FixedWindows over out-of-order records with per-partition watermarks give exact counts', async () => {
      const topic = await createTopic('eventtime');
      const byPartition = [0, 1, 2].map((p) => eventTimes(p).map((ts, i) => ({ value: JSON.stringify({ p, i }), timestamp: ts })));
      await produce(topic, byPartition);
      const expected = new globalThis.Map<string, number>();
      byPartition.forEach((ms, p) =>
        ms.forEach((m) => {
          const start = Math.floor((m.timestamp! - BASE) / 10_000) * 10_000;
          const line = `[${start},${start + 10_000}) p${p}`;
          expected.set(line, (expected.get(line) ?? 0) + 1);
        }),
      );
      // small polls and batches, so the watermark moves many times while the partitions are read
      const { out, result } = await runWith({ ...options, bundleSize: 10, maxBatchSize: 10 }, (p) =>
        p
          .apply(
            'Read',
            KafkaIO.read<{ p: number; i: number }>({
              brokers: env.brokers, client: via.client,
              topics: topic,
              startAt: 'earliest',
              bounded: true,
              watermark: { maxOutOfOrderness: seconds(2), idleTimeout: seconds(120) },
            }),
          )
          .apply(Window.into(FixedWindows(seconds(10))))
          .apply(WithKeys((v: { p: number }) => `p${v.p}`))
          .apply('Count', Count.perKey())
          .apply(Capture.records()),
      );
      // every partition is read ahead of the others in whole fetched batches: with a single
      // max-based watermark the lagging partitions' records would be dropped as late
      expect(result.metrics['Count']?.lateDropped ?? 0).toBe(0);
      const got = out.records.map((r) => {
        const v = r.value as { key: string; value: number };
        const start = (r.window as IntervalWindow).start - BASE;
        return { line: `[${start},${start + 10_000}) ${v.key}`, count: v.value, timing: r.pane.timing, isLast: r.pane.isLast, index: r.pane.index };
      });
      expect(got.map((g) => `${g.line}=${g.count} ${g.timing} #${g.index}`).sort()).toEqual(
        [...expected].map(([line, n]) => `${line}=${n} ON_TIME #0`).sort(),
      );
      expect(got.every((g) => g.isLast)).toBe(true);
    });

    it('bounded replay from earliest gives the same result twice', async () => {
      const topic = await createTopic('replay');
      const byPartition = [0, 1, 2].map((p) => Array.from({ length: 50 + p * 10 }, (_, i) => ({ value: JSON.stringify({ word: `w${(i * (p + 1)) % 7}` }) })));
      await produce(topic, byPartition);
      const countWords = async () => {
        const { out } = await runWith(options, (p) =>
          p
            .apply('Read', KafkaIO.read<{ word: string }>({ brokers: env.brokers, client: via.client, topics: topic, startAt: 'earliest', bounded: true }))
            .apply(MapElements((v: { word: string }) => v.word))
            .apply(Count.perElement())
            .apply(Capture.records()),
        );
        return out.sortedValues();
      };
      const first = await countWords();
      const second = await countWords();
      const expected = new globalThis.Map<string, number>();
      for (const ms of byPartition) for (const m of ms) expected.set(JSON.parse(m.value).word, (expected.get(JSON.parse(m.value).word) ?? 0) + 1);
      expect(first).toEqual([...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => ({ key, value })));
      expect(second).toEqual(first);
    });

    it('malformed JSON goes to the dead-letter output with partition and offset; valid records are unaffected', async () => {
      const topic = await createTopic('deadletter');
      const bad = new globalThis.Map<string, string>([
        ['1/0', '{"id": 1'],
        ['1/3', 'not json'],
        ['2/2', '{"id":'],
      ]);
      const byPartition = [0, 1, 2].map((p) =>
        Array.from({ length: 5 }, (_, i) => ({ key: `k${p}`, value: bad.get(`${p}/${i}`) ?? JSON.stringify({ id: p * 100 + i, user: 'x' }) })),
      );
      await produce(topic, byPartition);
      const { out, result } = await runWith(options, (p) => {
        const read = p.apply('Read', KafkaIO.read<Ev>({ brokers: env.brokers, client: via.client, topics: topic, startAt: 'earliest', bounded: true }));
        const dead = read.deadLetters().apply('DeadProbe', Capture.records());
        const valid = read.apply('Ids', MapElements((e: Ev) => e.id)).apply('ValidProbe', Capture.records());
        return { dead, valid };
      });
      const validIds = byPartition.flatMap((ms, p) => ms.map((_, i) => p * 100 + i).filter((_, i) => !bad.has(`${p}/${i}`)));
      expect(out.valid.sortedValues()).toEqual(validIds.sort());
      const dead = out.dead.values() as DeadLetter[];
      const summary = dead
        .map((d) => {
          const e = d.element as KafkaDeadLetterRecord;
          return {
            step: d.step,
            reason: d.reason,
            origin: d.origin,
            raw: Buffer.from(e.value!, 'base64').toString('utf8'),
            key: Buffer.from(e.key!, 'base64').toString('utf8'),
            same: e.topic === topic && e.partition === d.origin!['partition'] && e.offset === d.origin!['offset'] && e.encoding === 'base64',
          };
        })
        .sort((a, b) => `${a.origin!['partition']}/${a.origin!['offset']}`.localeCompare(`${b.origin!['partition']}/${b.origin!['offset']}`));
      expect(summary).toEqual(
        [...bad].map(([where, raw]) => {
          const [partition, offset] = where.split('/');
          return { step: 'Read', reason: 'malformed-json', origin: { topic, partition: Number(partition), offset }, raw, key: `k${partition}`, same: true };
        }),
      );
      for (const d of dead) expect(d.message).toMatch(/JSON/);
      expect(result.metrics['Read']?.deadLettered).toBe(3);
      expect(result.metrics['Read']?.elementsIn).toBe(12);
    });

    it('backpressure: with a tiny bufferSize the reader queue never exceeds its bound and pauses the consumer', async () => {
      const topic = await createTopic('backpressure');
      const N = 6_000;
      const byPartition = [0, 1, 2].map((p) => Array.from({ length: N / 3 }, (_, i) => ({ value: JSON.stringify({ n: p * (N / 3) + i }) })));
      await produce(topic, byPartition);
      const read = KafkaIO.read<{ n: number }>({ brokers: env.brokers, client: via.client, topics: topic, startAt: 'earliest', bounded: true, bufferSize: 7 });
      const { out } = await runWith(options, (p) => p.apply('Read', read).apply(MapElements((v: { n: number }) => v.n)).apply(Capture.records()));
      expect(out.values()).toHaveLength(N);
      expect(new Set(out.values()).size).toBe(N);
      expect(read.stats.capacity).toBe(7);
      expect(read.stats.peakBuffered).toBe(7); // filled up to the bound, never beyond
      expect(read.stats.pauses).toBeGreaterThan(0);
      expect(read.stats.resumes).toBeGreaterThan(0);
      expect(read.stats.recordsRead).toBe(N);
      expect(read.stats.buffered).toBe(0);
    });

    it('an unbounded read runs until cancelled; dead letters can be written to a dead-letter topic', async () => {
      const topic = await createTopic('unbounded');
      const dlq = await createTopic('unbounded-dlq', 1);
      await produce(topic, [[{ value: '{"n":1}' }, { value: '{"n":2}' }], [{ value: '{"n":3}' }, { value: 'oops' }], [{ value: '{"n":4}' }]]);
      const ac = new AbortController();
      let seen = 0;
      const { out, result } = await runWith({ ...options, signal: ac.signal }, (p) => {
        const read = p.apply('Read', KafkaIO.read<{ n: number }>({ brokers: env.brokers, client: via.client, topics: topic, startAt: 'earliest' }));
        read.deadLetters().apply('DLQ', KafkaIO.write({ brokers: env.brokers, client: via.client, topic: dlq }));
        return read
          .apply(
            MapElements((v: { n: number }) => {
              if (++seen === 4) setTimeout(() => ac.abort(), 1_500); // leave time for the dead letter to be written
              return v.n;
            }),
          )
          .apply(Capture.records());
      });
      expect(result.state).toBe('CANCELLED');
      expect(out.sortedValues()).toEqual([1, 2, 3, 4]);
      const consumer = kafka.consumer();
      const got: string[] = [];
      await consumer.connect();
      await consumer.assign([{ topic: dlq, partition: 0, startOffset: 'earliest' }]);
      await consumer.run(async (b) => void got.push(...b.messages.map((m) => m.value!.toString('utf8'))));
      const deadline = Date.now() + 10_000;
      while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await consumer.disconnect();
      expect(got).toHaveLength(1);
      const dl = JSON.parse(got[0]!) as DeadLetter;
      expect(dl).toMatchObject({ step: 'Read', reason: 'malformed-json', origin: { topic, partition: 1, offset: '1' } });
      expect(Buffer.from((dl.element as KafkaDeadLetterRecord).value!, 'base64').toString('utf8')).toBe('oops');
    });

    it('a key that is not valid UTF-8 is a dead letter (invalid-utf8, key bytes kept), not a key decoded with U+FFFD; a null key and binary headers pass through', async () => {
      const topic = await createTopic('badkey', 1);
      await produce(topic, [[
        { key: Buffer.from([0xc3]), value: '{"id":1}' },
        { key: Buffer.from([0xff, 0x41]), value: '{"id":2}' },
        { key: null, value: '{"id":3}', headers: { bin: Buffer.from([0xff, 0xfe, 0x00, 0x80]) } },
        { key: 'k\u00e9', value: '{"id":4}' },
      ]]);
      const { out } = await runWith(options, (p) => {
        const read = p.apply('Read', KafkaIO.read<{ id: number }>({ brokers: env.brokers, client: via.client, topics: topic, startAt: 'earliest', bounded: true, withMetadata: true }));
        return { values: read.apply('V', Capture.records()), dead: read.deadLetters().apply('D', Capture.records()) };
      });
      const records = (out.values.values() as KafkaRecord<{ id: number }>[]).sort((a, b) => a.value.id - b.value.id);
      expect(records.map((r) => [r.value.id, r.key])).toEqual([[3, null], [4, 'k\u00e9']]);
      expect(records[0]!.headers['bin']!.map((b) => Buffer.from(b).toString('hex'))).toEqual(['fffe0080']);
      const dead = (out.dead.values() as DeadLetter[]).sort((a, b) => String(a.origin!['offset']).localeCompare(String(b.origin!['offset'])));
      expect(dead.map((d) => [d.step, d.reason, d.origin])).toEqual([['Read', 'invalid-utf8', { topic, partition: 0, offset: '0' }], ['Read', 'invalid-utf8', { topic, partition: 0, offset: '1' }]]);
      expect(dead.map((d) => Buffer.from((d.element as KafkaDeadLetterRecord).key!, 'base64').toString('hex'))).toEqual(['c3', 'ff41']);
      for (const d of dead) expect(d.message).toMatch(/^key: .*not valid UTF-8/);
    });

    // (This test used to expect a UserCodeError for a record over the broker's limit: the step's code did nothing wrong.)
    it('a record over maxRecordBytes (default 1 MiB) goes to the write step\'s dead letters unsent, and the other records are written', async () => {
      const topic = await createTopic('toolarge', 1);
      const big = randomBytes(1536 * 1024).toString('base64'); // ~2 MB, incompressible: over 1 MiB and over the broker's 1 MB
      const { out, result } = await runWith(options, (p) => {
        const written = p.apply('Values', Create(['small-1', `BIG${big}`, 'small-2'])).apply('Write', KafkaIO.write<string>({ brokers: env.brokers, client: via.client, topic, serializer: Serde.toText(), compression: 'none' }));
        return written.deadLetters().apply('D', Capture.records());
      });
      const dead = out.values() as DeadLetter[];
      expect(dead.map((d) => [d.step, d.reason, d.origin, (d.element as string).slice(0, 3)])).toEqual([['Write', 'record-too-large', { topic }, 'BIG']]);
      expect(dead[0]!.message).toBe(`step 'Write': the record for Kafka topic '${topic}' has 2,097,155 bytes of key, value and headers, over maxRecordBytes (1,048,576): not sent`);
      expect(result.metrics['Write']!.deadLettered).toBe(1);
      const { out: back } = await runWith(options, (p) => p.apply('Read', KafkaIO.read<string | null>({ brokers: env.brokers, client: via.client, topics: topic, startAt: 'earliest', bounded: true, deserializer: Serde.string() })).apply(Capture.records()));
      expect(back.values()).toEqual(['small-1', 'small-2']);
    });

    it('a record under maxRecordBytes that the broker refuses as too large fails the run with a KafkaRecordTooLargeError naming the step, topic and record, not a UserCodeError', async () => {
      const topic = await createTopic('toolarge-broker', 1);
      const big = randomBytes(1536 * 1024).toString('base64');
      const error = await runWith(options, (p) =>
        p.apply('Values', Create(['small-1', `BIG${big}`, 'small-2'])).apply('Write', KafkaIO.write<string>({ brokers: env.brokers, client: via.client, topic, serializer: Serde.toText(), compression: 'none', maxRecordBytes: 4 << 20 })),
      ).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(KafkaRecordTooLargeError);
      expect(error).not.toBeInstanceOf(UserCodeError);
      expect(error).toMatchObject({ code: 'KAFKA_RECORD_TOO_LARGE', step: 'Write', topic, index: 1, bytes: 2_097_155 });
      expect((error as Error).message).toMatch(new RegExp(`^step 'Write': KafkaIO.write to '${topic}': a record is too large.* is #1: 2,097,155 bytes of key and value, key null, value "BIG`));
    });

    it('a topic that does not exist fails the run at once with a clear error', async () => {
      const topic = topicName('missing');
      const t0 = Date.now();
      const error = await runWith(options, (p) => p.apply('Read', KafkaIO.read({ brokers: env.brokers, client: via.client, topics: topic, startAt: 'earliest', bounded: true }))).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SourceError);
      expect((error as SourceError).message).toBe(
        `source step 'Read' failed: KafkaIO.read: topic '${topic}' not found at ${env.brokers} (a topic exists once it is created or, with the broker's auto-creation, first written: KafkaIO.write creates its topic with its first record, so an output that got none, e.g. an empty late-data or dead-letter output, has no topic yet)`,
      );
      expect((error as SourceError).cause).toMatchObject({ name: 'KafkaClientError', code: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: false });
      expect(Date.now() - t0).toBeLessThan(5_000);
    });

    it("start positions: 'latest' reads nothing, a timestamp starts at the first record at or after it, 'committed' at the group's offsets", async () => {
      const topic = await createTopic('startat');
      const byPartition = [0, 1, 2].map((p) => Array.from({ length: 10 }, (_, i) => ({ value: JSON.stringify({ p, i }), timestamp: BASE + i * 1000 + p })));
      await produce(topic, byPartition);
      const readWith = async (startAt: 'latest' | 'committed' | { timestamp: number }, groupId?: string) => {
        const { out } = await runWith(options, (p) =>
          p
            .apply('Read', KafkaIO.read<{ p: number; i: number }>({ brokers: env.brokers, client: via.client, topics: topic, startAt, bounded: true, ...(groupId ? { groupId } : {}) }))
            .apply(MapElements((v: { p: number; i: number }) => `${v.p}:${v.i}`))
            .apply(Capture.records()),
        );
        return out.sortedValues();
      };
      expect(await readWith('latest')).toEqual([]);
      expect(await readWith({ timestamp: BASE + 7_001 })).toEqual(['0:8', '0:9', '1:7', '1:8', '1:9', '2:7', '2:8', '2:9']);

      const groupId = `watershed-test-group-${randomUUID()}`;
      const committer = kafka.consumer({ groupId });
      await committer.connect();
      await committer.assign([0, 1, 2].map((partition) => ({ topic, partition, startOffset: 'latest' })));
      await committer.run(async () => undefined);
      await committer.commitOffsets([
        { topic, partition: 0, offset: '8' },
        { topic, partition: 2, offset: '10' },
      ]);
      await committer.disconnect();
      // partition 1 has no committed offset: it starts at the earliest offset (noCommittedOffset default)
      expect(await readWith('committed', groupId)).toEqual(['0:8', '0:9', ...Array.from({ length: 10 }, (_, i) => `1:${i}`)].sort());
    });
  });

  describe('the reader, polled directly', () => {
    const ctxWith = (clock: SourceContext['clock']): SourceContext => ({ step: 'Direct', clock, signal: new AbortController().signal });

    it('exposes consumed offsets per partition and the minimum of the partition watermarks', async () => {
      const topic = await createTopic('position');
      const lastTs = [50_000, 20_000, 35_000];
      const byPartition = [0, 1, 2].map((p) => Array.from({ length: 6 }, (_, i) => ({ value: JSON.stringify({ i }), timestamp: BASE + Math.round((lastTs[p]! * (i + 1)) / 6) })));
      await produce(topic, byPartition);
      const source = new KafkaSource<unknown, unknown>(
        { brokers: env.brokers, client: via.client, topics: topic, startAt: 'earliest', watermark: { maxOutOfOrderness: 1_000, idleTimeout: seconds(120) } },
        (v) => v,
      );
      expect(source.bounded).toBe(false);
      const reader = await source.open(ctxWith(new SystemClock()));
      try {
        // the cluster id too: a read resumed against another (wiped) cluster fails (kafka-cluster-changed.test.ts)
        expect(reader.position!()).toEqual({ partitions: [0, 1, 2].map((partition) => ({ topic, partition, offset: '0' })), splits: {}, cluster: expect.stringMatching(/^\S+$/) });
        let got = 0;
        let last: SourceBatch<unknown> | undefined;
        const deadline = Date.now() + 20_000;
        while (got < 18 && Date.now() < deadline) {
          last = await reader.poll(4, 100);
          got += last.elements.length;
          expect(last.done).toBe(false);
        }
        expect(got).toBe(18);
        expect(last!.watermark).toBe(BASE + 20_000 - 1_000);
        expect(reader.position!()).toEqual({
          partitions: [0, 1, 2].map((partition) => ({ topic, partition, offset: '6' })),
          splits: Object.fromEntries([0, 1, 2].map((p) => [`${topic}/${p}`, BASE + lastTs[p]!])),
          cluster: expect.stringMatching(/^\S+$/),
        });
        const idle = await reader.poll(10, 50);
        expect(idle.elements).toEqual([]);
        expect(idle.watermark).toBe(BASE + 20_000 - 1_000);
      } finally {
        await reader.close();
      }
    });

    it('an idle partition stops holding the watermark back after idleTimeout of the source clock', async () => {
      const topic = await createTopic('idle', 2);
      await produce(topic, [[{ value: '{"a":1}', timestamp: BASE + 5_000 }, { value: '{"a":2}', timestamp: BASE + 9_000 }], []]);
      const clock = new VirtualClock(1_000_000);
      const source = new KafkaSource<unknown, unknown>(
        { brokers: env.brokers, client: via.client, topics: topic, startAt: 'earliest', watermark: { maxOutOfOrderness: 500, idleTimeout: 10_000 } },
        (v) => v,
      );
      const reader = await source.open(ctxWith(clock));
      try {
        let got = 0;
        const deadline = Date.now() + 20_000;
        let b: SourceBatch<unknown> | undefined;
        while (got < 2 && Date.now() < deadline) {
          b = await reader.poll(10, 100);
          got += b.elements.length;
        }
        expect(got).toBe(2);
        expect(b!.watermark).toBe(TIMESTAMP_MIN); // partition 1 has no data: it holds the watermark
        clock.advanceTo(1_000_000 + 9_999);
        expect((await reader.poll(10, 20)).watermark).toBe(TIMESTAMP_MIN);
        clock.advanceTo(1_000_000 + 10_000);
        expect((await reader.poll(10, 20)).watermark).toBe(BASE + 9_000 - 500);
      } finally {
        await reader.close();
      }
    });
  });
});

for (const via of KAFKA_CLIENTS) describe.each(RUNNERS)(`KafkaIO with an unreachable broker (${via.label} client) on $label`, ({ options }) => {
  const BOUND_MS = 15_000;

  const expectClearFailure = async (brokers: string): Promise<number> => {
    const t0 = Date.now();
    const error = await runWith(options, (p) => p.apply('ReadClicks', KafkaIO.read({ brokers, client: via.client, topics: 'clicks', startAt: 'earliest', logLevel: 'nothing' })).apply(Capture.records())).then(
      () => null,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - t0;
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).step).toBe('ReadClicks');
    expect((error as SourceError).message).toContain("source step 'ReadClicks' failed: Kafka unavailable at " + brokers);
    expect((error as SourceError).cause).toBeInstanceOf(KafkaUnavailableError);
    expect(((error as SourceError).cause as KafkaUnavailableError).brokers).toEqual([brokers]);
    expect(elapsed).toBeLessThan(BOUND_MS);
    return elapsed;
  };

  it('nothing listening: the run fails with SourceError(KafkaUnavailableError) within the bound', async () => {
    await expectClearFailure('127.0.0.1:1');
  });

  it('a listener that never answers: the run fails after the connect deadline, not a hang', async () => {
    await withSilentListener(async (address) => {
      expect(await expectClearFailure(address)).toBeGreaterThanOrEqual(7_000);
    });
  });
});
