/**
 * An unbounded (follow-mode) Kafka read survives a broker restart (issue #12, point 9): the reader
 * reconnects with backoff and goes on from where it was, so every record written before and after
 * the restart is read exactly once; if the broker stays away longer than `reconnectTimeout`, the run
 * fails with an error naming the step. Runs its own broker (./private-broker.ts): the shared one is
 * never killed.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pipeline } from '../../sdk/pipeline.js';
import { SourceError } from '../../sdk/errors.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { KafkaIO, KafkaUnavailableError, createKafkajsClientFactory } from '../../transforms/io/kafka/index.js';
import { MapElements } from '../../transforms/map.js';
import { background, until } from '../support/background-run.js';
import { RUNNERS } from '../support/runners.js';
import { PrivateBroker, privateBrokerSkipReason } from './private-broker.js';

const skip = privateBrokerSkipReason();

describe.skipIf(skip !== null)(`KafkaIO.read in follow mode across a broker restart${skip ? ` [SKIPPED: ${skip}]` : ''}`, () => {
  let broker: PrivateBroker;
  beforeAll(async () => {
    broker = await PrivateBroker.create('follow');
    await broker.start({ fresh: true });
  }, 180_000);
  afterAll(() => broker?.dispose());

  const produce = async (topic: string, ids: readonly number[]): Promise<void> => {
    const producer = createKafkajsClientFactory({ brokers: broker.brokers, logLevel: 'nothing' }).producer();
    await producer.connect();
    try {
      await producer.send(topic, ids.map((id) => ({ key: `k${id % 7}`, value: JSON.stringify({ id }) })));
    } finally {
      await producer.disconnect();
    }
  };
  const createTopic = async (): Promise<string> => {
    const topic = `watershed-follow-${randomUUID()}`;
    const admin = createKafkajsClientFactory({ brokers: broker.brokers, logLevel: 'nothing' }).admin();
    await admin.connect();
    try {
      await admin.createTopics([{ topic, partitions: 3 }]);
    } finally {
      await admin.disconnect();
    }
    return topic;
  };
  /** Starts an unbounded read of `topic` into a probe; the caller cancels it. */
  const follow = (options: object, topic: string, reconnectTimeout?: number) => {
    const controller = new AbortController();
    const p = Pipeline.create({ ...options, signal: controller.signal });
    const probe: Probe<number> = p
      .apply('Follow', KafkaIO.read<{ id: number }>({ brokers: broker.brokers, topics: topic, startAt: 'earliest', logLevel: 'nothing', ...(reconnectTimeout ? { reconnectTimeout } : {}) }))
      .apply(MapElements((v: { id: number }) => v.id))
      .apply(Capture.records<number>());
    const { run, done } = background(p);
    return { probe, run, done, cancel: () => controller.abort() };
  };

  describe.each(RUNNERS)('on $label', ({ options }) => {
    it('the broker is killed (-9) and restarted mid-run: every record before and after is read, once', async () => {
      await broker.start(); // running (reused) or restarted after an earlier test
      const topic = await createTopic();
      const before = Array.from({ length: 40 }, (_, i) => i);
      const after = Array.from({ length: 40 }, (_, i) => 40 + i);
      await produce(topic, before);
      const r = follow(options, topic);
      try {
        await until(() => r.probe.values().length >= before.length, r.run, 60_000, 'the records written before the crash');
        await broker.kill9();
        await broker.start(); // on the same data: the topic and its offsets are back
        await produce(topic, after);
        await until(() => r.probe.values().length >= before.length + after.length, r.run, 120_000, 'the records written after the restart');
        // a moment for anything read twice to show up
        await new Promise((res) => setTimeout(res, 1_500));
      } finally {
        r.cancel();
        await r.done;
      }
      expect(r.run.error).toBeUndefined();
      expect(r.run.result?.state).toBe('CANCELLED');
      expect([...r.probe.values()].sort((a, b) => a - b)).toEqual([...before, ...after]);
    }, 300_000);

    it('a broker that stays away longer than reconnectTimeout fails the run with an error naming the step', async () => {
      await broker.start();
      const topic = await createTopic();
      await produce(topic, [1, 2, 3]);
      const r = follow(options, topic, 3_000);
      try {
        await until(() => r.probe.values().length >= 3, r.run, 60_000, 'the first records');
        await broker.kill9();
        await until(() => r.run.settled, { settled: false, error: undefined }, 120_000, 'the run to fail');
      } finally {
        r.cancel();
        await r.done;
      }
      const error = r.run.error;
      expect(error).toBeInstanceOf(SourceError);
      expect((error as SourceError).step).toBe('Follow');
      expect((error as SourceError).message).toContain(`source step 'Follow' failed: KafkaIO.read(${topic}): lost the connection to Kafka at ${broker.brokers}`);
      expect((error as SourceError).message).toContain('could not reconnect within 3000 ms');
      expect((error as SourceError).cause).toBeInstanceOf(KafkaUnavailableError);
    }, 300_000);
  });
});
