import { MultipleErrors, NetworkError, ProtocolError, TimeoutError, UserError } from '@platformatic/kafka';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaClientError, KafkaUnavailableError } from '../../../../transforms/io/kafka/client.js';
import { createKafkaClientFactory, kafkaClientFor, kafkaClientFromEnv } from '../../../../transforms/io/kafka/default-client.js';
import { createKafkajsClientFactory } from '../../../../transforms/io/kafka/kafkajs-client.js';
import { PlatformaticAdmin } from '../../../../transforms/io/kafka/platformatic/admin.js';
import { PlatformaticConsumer } from '../../../../transforms/io/kafka/platformatic/consumer.js';
import { mapPlatformaticError } from '../../../../transforms/io/kafka/platformatic/errors.js';
import { PlatformaticProducer } from '../../../../transforms/io/kafka/platformatic/producer.js';
import { WireProducer } from '../../../../transforms/io/kafka/wire/wire-producer.js';

const brokers = '127.0.0.1:1';

describe('choosing the Kafka client (no I/O)', () => {
  const saved = process.env['WATERSHED_KAFKA_CLIENT'];
  afterEach(() => {
    if (saved === undefined) delete process.env['WATERSHED_KAFKA_CLIENT'];
    else process.env['WATERSHED_KAFKA_CLIENT'] = saved;
  });

  it("client: 'platformatic' with producer: 'platformatic' gives @platformatic/kafka's admin, consumer and producer", () => {
    const kafka = createKafkaClientFactory({ brokers, client: 'platformatic', producer: 'platformatic' });
    expect(kafka.admin()).toBeInstanceOf(PlatformaticAdmin);
    expect(kafka.consumer()).toBeInstanceOf(PlatformaticConsumer);
    expect(kafka.producer()).toBeInstanceOf(PlatformaticProducer);
  });

  it('the default is @platformatic/kafka for admin and consumers with the wire producer; kafkajs by name; producer mixes across libraries', () => {
    delete process.env['WATERSHED_KAFKA_CLIENT'];
    const kafka = createKafkaClientFactory({ brokers });
    expect(kafka.admin()).toBeInstanceOf(PlatformaticAdmin);
    expect(kafka.consumer()).toBeInstanceOf(PlatformaticConsumer);
    expect(kafka.producer()).toBeInstanceOf(WireProducer);
    expect(createKafkaClientFactory({ brokers, client: 'platformatic' }).producer()).toBeInstanceOf(WireProducer);
    const kafkajs = createKafkaClientFactory({ brokers, client: 'kafkajs' });
    expect(kafkajs.admin()).not.toBeInstanceOf(PlatformaticAdmin);
    expect(kafkajs.consumer()).not.toBeInstanceOf(PlatformaticConsumer);
    expect(kafkajs.producer()).toBeInstanceOf(WireProducer);
    const mixed = createKafkaClientFactory({ brokers, client: 'kafkajs', producer: 'platformatic' });
    expect(mixed.producer()).toBeInstanceOf(PlatformaticProducer);
    expect(mixed.consumer()).not.toBeInstanceOf(PlatformaticConsumer);
  });

  it('WATERSHED_KAFKA_CLIENT picks the library when no client is given; an explicit one wins; a wrong name is refused', () => {
    expect(kafkaClientFromEnv({})).toBeUndefined();
    expect(kafkaClientFromEnv({ WATERSHED_KAFKA_CLIENT: '' })).toBeUndefined();
    expect(kafkaClientFromEnv({ WATERSHED_KAFKA_CLIENT: 'platformatic' })).toBe('platformatic');
    expect(() => kafkaClientFromEnv({ WATERSHED_KAFKA_CLIENT: 'platformatik' })).toThrow('WATERSHED_KAFKA_CLIENT=platformatik: use kafkajs or platformatic');
    process.env['WATERSHED_KAFKA_CLIENT'] = 'platformatic';
    expect(kafkaClientFor({ brokers }).admin()).toBeInstanceOf(PlatformaticAdmin);
    expect(kafkaClientFor({ brokers, client: 'kafkajs' }).admin()).not.toBeInstanceOf(PlatformaticAdmin);
    process.env['WATERSHED_KAFKA_CLIENT'] = 'kafkajs';
    expect(kafkaClientFor({ brokers }).admin()).not.toBeInstanceOf(PlatformaticAdmin);
    expect(kafkaClientFor({ brokers, client: 'platformatic' }).admin()).toBeInstanceOf(PlatformaticAdmin);
  });

  it('a ready factory passed as client is used as is', () => {
    const factory = createKafkajsClientFactory({ brokers });
    expect(kafkaClientFor({ brokers, client: factory })).toBe(factory);
  });
});

describe("mapping @platformatic/kafka's errors", () => {
  const map = (e: unknown) => mapPlatformaticError(e, [brokers], 'op');

  it('network and timeout errors, also inside an aggregate, mean the cluster is unavailable', () => {
    for (const e of [new NetworkError('Connection refused'), new TimeoutError('Request timed out'), new MultipleErrors('Producing failed.', [new NetworkError('closed')])]) {
      const mapped = map(e);
      expect(mapped).toBeInstanceOf(KafkaUnavailableError);
      expect(mapped.retriable).toBe(true);
      expect(mapped.cause).toBe(e);
      expect(mapped.message).toContain(`Kafka unavailable at ${brokers} (op)`);
    }
  });

  it("a broker error keeps its name as code and the library's retriability; an unknown topic is UNKNOWN_TOPIC_OR_PARTITION", () => {
    const fenced = map(new MultipleErrors('Producing failed.', [new ProtocolError('PRODUCER_FENCED')]));
    expect(fenced).not.toBeInstanceOf(KafkaUnavailableError);
    expect(fenced).toMatchObject({ name: 'KafkaClientError', code: 'PRODUCER_FENCED', retriable: false });
    expect(map(new ProtocolError('NOT_LEADER_OR_FOLLOWER'))).toMatchObject({ code: 'NOT_LEADER_OR_FOLLOWER', retriable: true });
    expect(map(new UserError('Unknown topic clicks.'))).toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: false, message: 'Kafka op failed: Unknown topic clicks.' });
    const own = new KafkaClientError('mine', { retriable: false });
    expect(map(own)).toBe(own);
  });
});
