import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { KafkaAdmin, KafkaClientFactory, KafkaOutgoingMessage } from '../../transforms/io/kafka/client.js';
import { createKafkajsClientFactory } from '../../transforms/io/kafka/kafkajs-client.js';
import type { KafkaTestEnv } from './kafka-test-env.js';

/**
 * A Kafka test suite's client, admin and topics. {@link kafkaTestTopics} registers the hooks: before
 * all tests a kafkajs client factory (log level `error`) and its connected admin; after all tests
 * (last, as hooks registered first run last) every topic created or tracked here is deleted
 * (failures ignored) and the admin disconnected.
 */
export interface KafkaTestTopics {
  /** The kafkajs client factory; read it inside hooks and tests only. */
  readonly kafka: KafkaClientFactory;
  /** Its admin, connected; read it inside hooks and tests only. */
  readonly admin: KafkaAdmin;
  /** Deletes these topics too after all tests (topics created otherwise, e.g. auto-created by a send). */
  track(...names: readonly string[]): void;
  /** Creates the topics, `partitions` each, in one request; they are deleted after all tests. */
  createTopics(names: readonly string[], partitions: number): Promise<void>;
  /** Creates a topic named `<prefix>-<random UUID>` with `partitions` partitions and returns its name. */
  newTopic(prefix: string, partitions: number): Promise<string>;
  /** Sends `messages` to `topic` with a new producer of {@link kafka}, `chunk` messages a request, then disconnects it. */
  produce(topic: string, messages: readonly KafkaOutgoingMessage[], chunk?: number): Promise<void>;
}

/**
 * Call inside `kafkaDescribe` (before any hook of the suite that uses the admin).
 * @example
 * kafkaDescribe('my feature', (env) => {
 *   const k = kafkaTestTopics(env);
 *   it('works', async () => { const topic = await k.newTopic('watershed-my', 3); await k.produce(topic, [{ value: 'x' }]); });
 * });
 */
export function kafkaTestTopics(env: KafkaTestEnv): KafkaTestTopics {
  let kafka: KafkaClientFactory | undefined;
  let admin: KafkaAdmin | undefined;
  const topics: string[] = [];
  const ready = <T>(x: T | undefined, what: string): T => {
    if (x === undefined) throw new Error(`kafkaTestTopics: the ${what} is there only inside hooks and tests`);
    return x;
  };
  beforeAll(async () => {
    kafka = createKafkajsClientFactory({ brokers: env.brokers, logLevel: 'error' });
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    if (!admin) return;
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect();
  });
  const self: KafkaTestTopics = {
    get kafka() {
      return ready(kafka, 'client factory');
    },
    get admin() {
      return ready(admin, 'admin');
    },
    track(...names) {
      topics.push(...names);
    },
    async createTopics(names, partitions) {
      self.track(...names);
      await self.admin.createTopics(names.map((topic) => ({ topic, partitions })));
    },
    async newTopic(prefix, partitions) {
      const topic = `${prefix}-${randomUUID()}`;
      await self.createTopics([topic], partitions);
      return topic;
    },
    async produce(topic, messages, chunk = 500) {
      const producer = self.kafka.producer();
      await producer.connect();
      try {
        for (let i = 0; i < messages.length; i += chunk) await producer.send(topic, messages.slice(i, i + chunk));
      } finally {
        await producer.disconnect();
      }
    },
  };
  return self;
}
