import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KafkaClientError, KafkaUnavailableError, type KafkaClientFactory, type KafkaMessage, type KafkaOutgoingMessage } from '../../transforms/io/kafka/client.js';
import { partitionForKey } from '../../transforms/io/kafka/wire/murmur2.js';
import { BrokerConnection } from '../../transforms/io/kafka/wire/broker-connection.js';
import { WireProducer } from '../../transforms/io/kafka/wire/wire-producer.js';
import { wireProducerWithSeams } from '../../transforms/io/kafka/wire/wire-producer-seams.js';
import { platformaticContext } from '../../transforms/io/kafka/platformatic/context.js';
import { PlatformaticProducer } from '../../transforms/io/kafka/platformatic/producer.js';
import { kafkaDescribe } from './kafka-test-env.js';
import { kafkaTestTopics } from './kafka-test-topics.js';
import { withSilentListener } from './silent-listener.js';

const PARTITIONS = 3;

/** Reads every record of `topic` from the beginning with the kafkajs consumer until `count` arrived (or the timeout). */
async function readAll(kafka: KafkaClientFactory, topic: string, count: number, timeoutMs = 30_000): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ maxBytesPerPartition: 4 * 1024 * 1024 });
  const got: KafkaMessage[] = [];
  let failure: unknown = null;
  await consumer.connect();
  try {
    await consumer.assign([0, 1, 2].map((partition) => ({ topic, partition, startOffset: 'earliest' })));
    await consumer.run(async (b) => void got.push(...b.messages), { onError: (e) => (failure = e) });
    const deadline = Date.now() + timeoutMs;
    while (got.length < count && failure === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 200)); // extra (duplicate) deliveries would show up here
  } finally {
    await consumer.disconnect();
  }
  if (failure) throw failure;
  return got;
}

kafkaDescribe('WireProducer against a real broker', (env) => {
  const k = kafkaTestTopics(env);
  const newTopic = (): Promise<string> => k.newTopic('watershed-wire', PARTITIONS);

  for (const [producerKind, compression] of (['wire', 'platformatic'] as const).flatMap((k) => (['none', 'gzip', 'lz4'] as const).map((c) => [k, c] as const))) {
    it(`round-trips keys, values, headers, timestamps and explicit partitions (${producerKind}, ${compression}), read back by kafkajs`, async () => {
      const topic = await newTopic();
      const sent: KafkaOutgoingMessage[] = Array.from({ length: 500 }, (_, i) => ({
        key: i % 50 === 7 ? null : `key-${i % 13}`,
        value: i % 97 === 5 ? null : JSON.stringify({ i, text: 'ü✓'.repeat(i % 5) }),
        headers: i % 2 === 0 ? { 'x-i': String(i), multi: ['a', Buffer.from('b')] } : undefined,
        timestamp: 1_700_000_000_000 + i * 10,
        ...(i % 100 === 3 ? { partition: 2 } : {}),
      }));
      const p = producerKind === 'wire' ? new WireProducer({ brokers: env.brokers, compression }) : new PlatformaticProducer(platformaticContext({ brokers: env.brokers }), { compression });
      await p.connect();
      try {
        const results = await Promise.all([p.send(topic, sent.slice(0, 250)), p.send(topic, sent.slice(250))]);
        for (const r of results.flat()) expect(r.topic).toBe(topic);
      } finally {
        await p.disconnect();
      }
      const got = await readAll(k.kafka, topic, sent.length);
      expect(got).toHaveLength(sent.length);
      const byTimestamp = new Map(got.map((m) => [m.timestamp, m]));
      let roundRobin = 0;
      for (const [i, s] of sent.entries()) {
        const m = byTimestamp.get(s.timestamp!)!;
        expect(m, `record ${i}`).toBeDefined();
        expect(m.key === null ? null : m.key.toString()).toBe(s.key ?? null);
        expect(m.value === null ? null : m.value.toString()).toBe(s.value);
        if (s.headers) expect(Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, v.map((b) => b.toString())]))).toEqual({ 'x-i': [String(i)], multi: ['a', 'b'] });
        else expect(m.headers).toEqual({});
        if (s.partition !== undefined) expect(m.partition).toBe(s.partition);
        else if (s.key) expect(m.partition).toBe(partitionForKey(Buffer.from(s.key as string), PARTITIONS));
        else roundRobin++;
      }
      expect(roundRobin).toBeGreaterThan(0);
      // offsets are dense per partition: nothing written twice, nothing missing
      for (const partition of [0, 1, 2]) {
        const offsets = got.filter((m) => m.partition === partition).map((m) => Number(m.offset));
        expect(offsets).toEqual(offsets.map((_, k) => k));
      }
    });
  }

  it('a send larger than one batch per partition arrives whole (10,000 records of ~300 B in one send)', async () => {
    const topic = await newTopic();
    const p = new WireProducer({ brokers: env.brokers, maxBatchBytes: 100_000 });
    await p.connect();
    const value = (i: number) => JSON.stringify({ i, pad: 'p'.repeat(280) });
    await p.send(topic, Array.from({ length: 10_000 }, (_, i) => ({ value: value(i) })));
    await p.disconnect();
    const offsets = await k.admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((sum, o) => sum + Number(o.high), 0)).toBe(10_000);
    const got = await readAll(k.kafka, topic, 10_000);
    expect(new Set(got.map((m) => (JSON.parse(m.value!.toString()) as { i: number }).i)).size).toBe(10_000);
  });

  for (const producerKind of ['wire', 'platformatic'] as const)
  it(`keeps per-partition order across 40 pipelined sends split into many small batches (${producerKind})`, async () => {
    const topic = await newTopic();
    const p = producerKind === 'wire' ? new WireProducer({ brokers: env.brokers, maxBatchBytes: 150, maxInFlight: 5 }) : new PlatformaticProducer(platformaticContext({ brokers: env.brokers }));
    await p.connect();
    const sends = [];
    for (let s = 0; s < 40; s++) {
      sends.push(p.send(topic, Array.from({ length: 100 }, (_, j) => ({ key: `k${j % 7}`, value: String(s * 100 + j) }))));
    }
    await Promise.all(sends);
    await p.disconnect();
    const got = await readAll(k.kafka, topic, 4_000);
    expect(got).toHaveLength(4_000);
    const lastByKey = new Map<string, number>();
    for (const partition of [0, 1, 2]) {
      for (const m of got.filter((x) => x.partition === partition).sort((a, b) => Number(a.offset) - Number(b.offset))) {
        const v = Number(m.value!.toString());
        const k = m.key!.toString();
        expect(v).toBeGreaterThan(lastByKey.get(k) ?? -1);
        lastByKey.set(k, v);
      }
    }
    expect(new Set(got.map((m) => m.value!.toString())).size).toBe(4_000);
  });

  for (const producerKind of ['wire', 'kafkajs', 'platformatic'] as const) {
    it(`sendBlock (${producerKind}): packed values arrive exactly once, in order, spread over the partitions in runs`, async () => {
      const topic = await newTopic();
      const texts = Array.from({ length: 3_000 }, (_, i) => JSON.stringify({ i, pad: 'é'.repeat(i % 40) }));
      const values = Buffer.from(texts.join(''), 'utf8');
      const offsets = [0];
      for (const t of texts) offsets.push(offsets[offsets.length - 1]! + Buffer.byteLength(t));
      const p =
        producerKind === 'wire' ? new WireProducer({ brokers: env.brokers, maxBatchBytes: 20_000 })
        : producerKind === 'platformatic' ? new PlatformaticProducer(platformaticContext({ brokers: env.brokers }), { maxRunBytes: 20_000 })
        : k.kafka.producer();
      await p.connect();
      try {
        const half = offsets.indexOf(offsets[1_500]!);
        await Promise.all([
          p.sendBlock(topic, { values, offsets: offsets.slice(0, half + 1), timestamp: 1_700_000_000_000 }),
          p.sendBlock(topic, { values, offsets: offsets.slice(half), timestamp: 1_700_000_000_001 }),
        ]);
      } finally {
        await p.disconnect();
      }
      const got = await readAll(k.kafka, topic, texts.length);
      expect(got).toHaveLength(texts.length);
      expect(new Set(got.map((m) => m.partition)).size).toBe(PARTITIONS);
      for (const m of got) {
        const i = (JSON.parse(m.value!.toString()) as { i: number }).i;
        expect(m.value!.toString()).toBe(texts[i]);
        expect(m.key).toBeNull();
        expect(m.timestamp).toBe(i < 1_500 ? 1_700_000_000_000 : 1_700_000_000_001);
      }
      for (const partition of [0, 1, 2]) {
        const ids = got.filter((m) => m.partition === partition).sort((a, b) => Number(a.offset) - Number(b.offset)).map((m) => (JSON.parse(m.value!.toString()) as { i: number }).i);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
      }
    });
  }

  it('connections that drop after sending a request (responses lost): batches are re-sent, and every record is written exactly once, in order', async () => {
    const topic = await newTopic();
    let opened = 0;
    let dropped = 0;
    const p = wireProducerWithSeams({
      brokers: env.brokers,
      maxBatchBytes: 3_000,
      // Every leader connection dies right after its 3rd request went out: the broker may have
      // appended those records, but the producer never hears so and must retry.
      openLeaderConnection: async (o) => {
        const c = await BrokerConnection.open(o);
        opened++;
        let requests = 0;
        const request = c.request.bind(c);
        c.request = (...args: Parameters<BrokerConnection['request']>) => {
          const r = request(...args);
          if (++requests === 3 && dropped < 4) {
            dropped++;
            setTimeout(() => c.close(), 5);
          }
          return r;
        };
        return c;
      },
    });
    await p.connect();
    const sends = [];
    for (let s = 0; s < 30; s++) sends.push(p.send(topic, Array.from({ length: 100 }, (_, j) => ({ key: `k${j % 5}`, value: String(s * 100 + j) }))));
    await Promise.all(sends);
    await p.disconnect();
    expect(dropped).toBe(4);
    expect(opened).toBeGreaterThan(1);
    const got = await readAll(k.kafka, topic, 3_000);
    expect(got).toHaveLength(3_000);
    expect(new Set(got.map((m) => m.value!.toString())).size).toBe(3_000);
    const last = new Map<string, number>();
    for (const m of [...got].sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset))) {
      const v = Number(m.value!.toString());
      expect(v).toBeGreaterThan(last.get(m.key!.toString()) ?? -1);
      last.set(m.key!.toString(), v);
    }
  });

  /** A producer whose leader connections fail to open `failures` times (then open normally). */
  const failingLeaders = (failures: number, deliveryTimeoutMs?: number) => {
    const attempts = { n: 0 };
    const p = wireProducerWithSeams({
      brokers: env.brokers,
      ...(deliveryTimeoutMs !== undefined ? { deliveryTimeoutMs } : {}),
      openLeaderConnection: async (o) => {
        if (++attempts.n <= failures) throw new KafkaUnavailableError(`leader connection ${attempts.n} refused (test)`, { brokers: [env.brokers] });
        return BrokerConnection.open(o);
      },
    });
    return { p, attempts };
  };

  it('a leader unreachable for more rounds than the old fixed 5 retries: the batch is re-sent until it is written (deliveryTimeoutMs, not a retry count)', async () => {
    const topic = await newTopic();
    const { p, attempts } = failingLeaders(8);
    await p.connect();
    await p.send(topic, [{ key: 'k', value: 'patient' }]);
    await p.disconnect();
    expect(attempts.n).toBe(9);
    expect((await readAll(k.kafka, topic, 1)).map((m) => m.value!.toString())).toEqual(['patient']);
  });

  it('a leader unreachable for longer than deliveryTimeoutMs: the send fails with code DELIVERY_TIMEOUT, and later sends too', async () => {
    const topic = await newTopic();
    const { p } = failingLeaders(Number.MAX_SAFE_INTEGER, 800);
    await p.connect();
    const error = await p.send(topic, [{ key: 'k', value: 'lost' }]).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaClientError);
    expect(error).toMatchObject({ code: 'DELIVERY_TIMEOUT', retriable: true });
    expect((error as Error).message).toMatch(/deliveryTimeoutMs \(800 ms/);
    await expect(p.send(topic, [{ value: 'after' }])).rejects.toMatchObject({ code: 'DELIVERY_TIMEOUT' });
    await p.disconnect();
  });

  it('a record over the broker limit fails its send with MESSAGE_TOO_LARGE, and later sends fail too', async () => {
    const topic = await newTopic();
    const p = new WireProducer({ brokers: env.brokers, compression: 'none' });
    await p.connect();
    try {
      const big = p.send(topic, [{ key: 'k', value: 'x'.repeat(2 * 1024 * 1024) }]);
      const error = await big.then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(KafkaClientError);
      expect((error as KafkaClientError).code).toBe('MESSAGE_TOO_LARGE');
      expect((error as KafkaClientError).retriable).toBe(false);
      expect((error as Error).message).toContain(topic);
      await expect(p.send(topic, [{ key: 'k', value: 'small' }])).rejects.toBeInstanceOf(KafkaClientError);
    } finally {
      await p.disconnect();
    }
  });

  for (const producerKind of ['wire', 'platformatic'] as const)
  it(`auto-creates an unknown topic and waits for its leaders (${producerKind})`, async () => {
    const topic = `watershed-wire-auto-${randomUUID()}`;
    k.track(topic);
    const p = producerKind === 'wire' ? new WireProducer({ brokers: env.brokers }) : new PlatformaticProducer(platformaticContext({ brokers: env.brokers }));
    await p.connect();
    const results = await p.send(topic, [{ key: 'a', value: '1' }]);
    await p.disconnect();
    expect(results).toHaveLength(1);
    expect(results[0]!.baseOffset).toBe('0');
  });

  it('refuses sends before connect() and after disconnect()', async () => {
    const p = new WireProducer({ brokers: env.brokers });
    await expect(p.send('t', [{ value: 'v' }])).rejects.toThrow(/before connect/);
    await p.connect();
    await p.disconnect();
    await p.disconnect();
    await expect(p.send('t', [{ value: 'v' }])).rejects.toThrow(/after disconnect/);
  });
});

describe('WireProducer with an unreachable broker', () => {
  it('connect() fails with KafkaUnavailableError when nothing listens', async () => {
    const p = new WireProducer({ brokers: '127.0.0.1:1', connectDeadlineMs: 1_500 });
    const t0 = Date.now();
    const error = await p.connect().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect((error as KafkaUnavailableError).brokers).toEqual(['127.0.0.1:1']);
    expect((error as KafkaUnavailableError).cause).toBeDefined();
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('connect() fails within the deadline when the listener accepts TCP but never answers', async () => {
    await withSilentListener(async (address) => {
      const p = new WireProducer({ brokers: address, connectDeadlineMs: 2_000 });
      const t0 = Date.now();
      const error = await p.connect().then(() => null, (e: unknown) => e);
      const elapsed = Date.now() - t0;
      expect(error).toBeInstanceOf(KafkaUnavailableError);
      expect(elapsed).toBeGreaterThanOrEqual(1_900);
      expect(elapsed).toBeLessThan(5_000);
      await p.disconnect();
    });
  });
});
