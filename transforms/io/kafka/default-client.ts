import type { KafkaClientFactory, KafkaCompressionName, KafkaProducerOptions, KafkaProducerPort } from './client.js';
import { createKafkajsClientFactory, type KafkajsLogLevelName } from './kafkajs-client.js';
import { createPlatformaticClientFactory } from './platformatic-client.js';
import type { KafkaSaslOptions, KafkaSslOptions } from './security.js';
import { WireProducer } from './wire/wire-producer.js';

/** The client library for consumers and admin: @platformatic/kafka (default, maintained) or kafkajs (unmaintained since 2023). */
export type KafkaClientName = 'kafkajs' | 'platformatic';

const CLIENT_NAMES: readonly KafkaClientName[] = ['kafkajs', 'platformatic'];

/**
 * The client named by the environment variable `WATERSHED_KAFKA_CLIENT`, if set: how a whole run
 * (e.g. `WATERSHED_KAFKA_CLIENT=kafkajs npm start -- --input=kafka:netflow ...`) switches library
 * without code changes. An explicit `client` option wins. @throws Error on any other value.
 */
export function kafkaClientFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaClientName | undefined {
  const v = env['WATERSHED_KAFKA_CLIENT']?.trim();
  if (v === undefined || v === '') return undefined;
  if (!(CLIENT_NAMES as readonly string[]).includes(v)) throw new Error(`WATERSHED_KAFKA_CLIENT=${v}: use ${CLIENT_NAMES.join(' or ')}`);
  return v as KafkaClientName;
}

/** Which producer the default client uses: the wire producer, kafkajs' or @platformatic/kafka's. */
export type KafkaProducerImplementation = 'wire' | 'kafkajs' | 'platformatic';
const PRODUCER_NAMES: readonly KafkaProducerImplementation[] = ['wire', 'kafkajs', 'platformatic'];

/**
 * The producer named by the environment variable `WATERSHED_KAFKA_PRODUCER`, if set (as
 * {@link kafkaClientFromEnv} for the library). An explicit `producer` option wins. @throws Error on any other value.
 */
export function kafkaProducerFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaProducerImplementation | undefined {
  const v = env['WATERSHED_KAFKA_PRODUCER']?.trim();
  if (v === undefined || v === '') return undefined;
  if (!(PRODUCER_NAMES as readonly string[]).includes(v)) throw new Error(`WATERSHED_KAFKA_PRODUCER=${v}: use ${PRODUCER_NAMES.join(', ')}`);
  return v as KafkaProducerImplementation;
}

/** How KafkaIO reaches a cluster: a ready client factory, or the default one built from these settings. */
export interface KafkaConnectionOptions {
  /** `'127.0.0.1:19092'`, `'a:1,b:2'` or an array of `host:port`. */
  readonly brokers: string | readonly string[];
  /**
   * The client: a library by name (`'platformatic'`, the default, or `'kafkajs'`; unset: env
   * `WATERSHED_KAFKA_CLIENT`, else platformatic) for {@link createKafkaClientFactory}, or a ready factory
   * (e.g. for measuring a different library). kafkajs 2.2.4 reading read_committed hands out the
   * records of a transaction that was aborted while another producer's commit marker lay inside it
   * (e.g. exactly-once output of a job restarted after a crash): read transactional topics with the default.
   */
  readonly client?: KafkaClientFactory | KafkaClientName;
  /** Client id sent to the brokers. Default 'watershed'. */
  readonly clientId?: string;
  /** Upper bound for connecting; an unreachable cluster fails with KafkaUnavailableError after it. Default 8000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * The broker outage budget: once running, how long a broker that is down or restarting is waited
   * for (with backoff) before the run fails. A read reconnects for this long (unless its
   * `reconnectTimeout` says otherwise), and the wire producer re-sends batches and retries metadata and
   * transaction coordinator calls for this long (its `deliveryTimeoutMs`). After it the run fails
   * with a `KafkaUnavailableError` (code `RECONNECT_TIMEOUT` for a read, `DELIVERY_TIMEOUT` for a
   * write) as the cause of an error naming the step; with checkpoints, running again resumes from
   * the last complete one. Default 60,000 ms.
   */
  readonly brokerOutageTimeoutMs?: number;
  /** Log level of the kafkajs parts. Default: env `WATERSHED_KAFKA_LOG`, else 'warn'. */
  readonly logLevel?: KafkajsLogLevelName;
  /**
   * The default client's producer. Default 'wire' with either library: on the Netflow job (scenario 1,
   * Kafka to Kafka, `npm run bench:netflow -- --cases=kafka,kafka@platformatic`) @platformatic/kafka's
   * producer ran at 0.2-0.36x of it (one request in flight per broker, LZ4 in wasm on the event loop).
   */
  readonly producer?: KafkaProducerImplementation;
  /**
   * TLS to the brokers: `{ ca, cert?, key?, rejectUnauthorized? }`, each PEM value the PEM text or the
   * path of a PEM file (read when the factory is made), or `true` for TLS with the system's CAs.
   * Default: plain TCP. Every client (platformatic, kafkajs, the wire producer) uses it.
   */
  readonly ssl?: KafkaSslOptions | boolean;
  /** SASL: `{ mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512', username, password }`. Default: none. */
  readonly sasl?: KafkaSaslOptions;
}

/**
 * The default Kafka client: @platformatic/kafka for admin and consumers (maintained; its consumer reads
 * about 2x kafkajs' through KafkaIO, and bounded reads through it are checked offset by offset with
 * `npm run stress:kafka-read`), and the {@link WireProducer} (about 8x kafkajs' producer throughput,
 * 3-5x @platformatic/kafka's on the Netflow job; LZ4 by default) for producing, unless `producer`
 * names another. `client: 'kafkajs'` (or env `WATERSHED_KAFKA_CLIENT=kafkajs`) selects kafkajs
 * (unmaintained since 2023) for admin and consumers. Does no I/O.
 *
 * @example
 * ```ts
 * const kafka = createKafkaClientFactory({ brokers: '127.0.0.1:19092' });
 * const producer = kafka.producer({ compression: 'lz4' });
 * await producer.connect();
 * const old = createKafkaClientFactory({ brokers: '127.0.0.1:19092', client: 'kafkajs' });
 * ```
 */
export function createKafkaClientFactory(options: Omit<KafkaConnectionOptions, 'client'> & { readonly client?: KafkaClientName }): KafkaClientFactory {
  const connectDeadlineMs = options.connectTimeoutMs ?? 8_000;
  const clientId = options.clientId ?? 'watershed';
  const library = options.client ?? kafkaClientFromEnv() ?? 'platformatic';
  const security = { ...(options.ssl !== undefined ? { ssl: options.ssl } : {}), ...(options.sasl !== undefined ? { sasl: options.sasl } : {}) };
  const base =
    library === 'platformatic'
      ? createPlatformaticClientFactory({ brokers: options.brokers, clientId, connectDeadlineMs, ...security })
      : createKafkajsClientFactory({
          brokers: options.brokers,
          clientId,
          connectDeadlineMs,
          ...security,
          ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
        });
  const producerKind = options.producer ?? kafkaProducerFromEnv() ?? 'wire';
  const producer = (o: KafkaProducerOptions): KafkaProducerPort => {
    if (producerKind === library) return base.producer(o);
    if (producerKind === 'wire') {
      return new WireProducer({
        brokers: base.brokers,
        clientId,
        connectDeadlineMs,
        ...security,
        ...(o.compression !== undefined ? { compression: o.compression as KafkaCompressionName } : {}),
        ...(o.allowAutoTopicCreation !== undefined ? { allowAutoTopicCreation: o.allowAutoTopicCreation } : {}),
        ...(o.transactionalId !== undefined ? { transactionalId: o.transactionalId } : {}),
        ...(o.transactionTimeoutMs !== undefined ? { transactionTimeoutMs: o.transactionTimeoutMs } : {}),
        ...(o.deliveryTimeoutMs !== undefined
          ? { deliveryTimeoutMs: o.deliveryTimeoutMs }
          : options.brokerOutageTimeoutMs !== undefined
            ? { deliveryTimeoutMs: options.brokerOutageTimeoutMs }
            : {}),
      });
    }
    const other = producerKind === 'platformatic' ? createPlatformaticClientFactory({ brokers: base.brokers, clientId, connectDeadlineMs, ...security }) : createKafkaClientFactory({ ...options, client: 'kafkajs', producer: 'kafkajs' });
    return other.producer(o);
  };
  return {
    brokers: base.brokers,
    admin: () => base.admin(),
    consumer: (o) => base.consumer(o),
    producer: (o = {}) => producer(o),
  };
}

/**
 * Which producer `options` give KafkaIO: `'custom'` for a ready factory passed as `client`, else the
 * default client's choice (`producer`, env `WATERSHED_KAFKA_PRODUCER`, else the wire producer).
 * @throws Error for a bad `WATERSHED_KAFKA_PRODUCER`.
 */
export function kafkaProducerKindFor(options: KafkaConnectionOptions): KafkaProducerImplementation | 'custom' {
  if (typeof options.client === 'object') return 'custom';
  return options.producer ?? kafkaProducerFromEnv() ?? 'wire';
}

/** The factory KafkaIO uses: `options.client` if it is a factory, else {@link createKafkaClientFactory}. */
export function kafkaClientFor(options: KafkaConnectionOptions): KafkaClientFactory {
  const { client, ...rest } = options;
  return typeof client === 'object' ? client : createKafkaClientFactory({ ...rest, ...(client !== undefined ? { client } : {}) });
}
