/**
 * {@link KafkaProducerPort} over @platformatic/kafka's `Producer`: idempotent, acks=all.
 *
 * - Keyed records go to the Java client's partition (murmur2 of the key, made positive); the keyless
 *   records of one `send` go together to the next partition in turn, as the Java client's sticky
 *   partitioner does per batch.
 * - `sendBlock` cuts the packed values into runs of about `maxRunBytes` and sends each run to the next
 *   partition in turn (the values are handed over as views of the block, not copied).
 * - Sends are chained: each starts once the previous one settled. The library sends one request at
 *   a time per broker for an idempotent producer anyway, and after a failed request it starts a new
 *   producer id, so a later send that had overtaken it could land first; chaining keeps every
 *   partition in call order, as the port promises.
 * - Retries are bounded (the library would retry an idempotent send forever): a dead broker fails the
 *   send, and a caller that re-sends gets at-least-once.
 *
 * @example
 * ```ts
 * const producer = new PlatformaticProducer(platformaticContext({ brokers }), { compression: 'lz4' });
 * await producer.connect();
 * await producer.send('events', [{ key: 'u1', value: '{"n":1}' }]);
 * await producer.disconnect();
 * ```
 */
import { Producer, type MessageToProduce, type ProduceResult } from '@platformatic/kafka';
import { guardClientConnections } from './connection-errors.js';
import {
  KafkaClientError,
  type KafkaCompressionName,
  type KafkaHeadersInput,
  type KafkaOutgoingMessage,
  type KafkaProducerOptions,
  type KafkaProducerPort,
  type KafkaSendResult,
  type KafkaValueBlock,
} from '../client.js';
import { murmur2 } from '../wire/murmur2.js';
import { connectWithin, settleWithin } from './connect-deadline.js';
import { type PlatformaticContext, mapped } from './context.js';

/** Options of {@link PlatformaticProducer} beyond the port's. */
export interface PlatformaticProducerOptions extends KafkaProducerOptions {
  /** Bytes of values per run of a `sendBlock` before the next partition's run starts. Default 1,000,000. */
  readonly maxRunBytes?: number;
}

/**
 * A header's name as the library's header key: an object per header, so that several headers with the
 * same name stay distinct entries of the library's `Map` (the serializer writes the name's bytes).
 */
export interface HeaderName {
  readonly name: string;
}
export type Outgoing = MessageToProduce<Buffer, Buffer, HeaderName, Buffer>;

/** The Java client's partition hash before the modulo (the library applies `% partitions`). */
const javaPartitionHash = (key: Buffer): number => murmur2(key) & 0x7fffffff;

export class PlatformaticProducer implements KafkaProducerPort {
  /** The library's producer; a transactional producer replaces it to start a new epoch. */
  protected producer: Producer<Buffer, Buffer, HeaderName, Buffer>;
  private readonly maxRunBytes: number;
  private readonly compression: KafkaCompressionName;
  /** Passed with each send only: set on the client it would also create topics named in offset commits. */
  protected readonly autocreateTopics: boolean;
  private chain: Promise<unknown> = Promise.resolve();
  private nextPartition = new Map<string, number>();
  private connected = false;
  private closed: Promise<void> | null = null;

  constructor(
    protected readonly ctx: PlatformaticContext,
    options: PlatformaticProducerOptions = {},
    transactionalId?: string,
  ) {
    this.maxRunBytes = options.maxRunBytes ?? 1_000_000;
    this.autocreateTopics = options.allowAutoTopicCreation ?? true;
    this.compression = options.compression ?? 'none';
    this.producer = this.newLibraryProducer(transactionalId);
  }

  protected newLibraryProducer(transactionalId: string | undefined): Producer<Buffer, Buffer, HeaderName, Buffer> {
    return guardClientConnections(new Producer<Buffer, Buffer, HeaderName, Buffer>({
      ...this.ctx.base,
      retries: Math.max(5, Number(this.ctx.base.retries ?? 5)),
      idempotent: true,
      compression: this.compression,
      partitioner: (message, key) => (key ? javaPartitionHash(key) : (message.partition ?? 0)),
      serializers: { headerKey: (k?: HeaderName) => (k === undefined ? undefined : Buffer.from(k.name)) },
      // The library's InitProducerId asks for producer id 0, epoch 0 unless told otherwise, which the
      // coordinator refuses (PRODUCER_FENCED) once the transactional id has state: -1/-1 asks for a new epoch.
      ...(transactionalId !== undefined ? { transactionalId, producerId: -1n, producerEpoch: -1 } : {}),
    }));
  }

  /** Loads the metadata and gets a producer id, within the connect deadline. */
  async connect(): Promise<void> {
    await connectWithin(
      { what: 'producer', brokers: this.ctx.brokers, deadlineMs: this.ctx.connectDeadlineMs },
      () => this.initialise(),
      () => this.disconnect(),
    );
    this.connected = true;
  }

  /** What `connect()` does with the broker; a transactional producer overrides it. */
  protected async initialise(): Promise<void> {
    await this.producer.metadata({ topics: [] });
    await this.producer.initIdempotentProducer({});
  }

  send(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<KafkaSendResult[]> {
    return this.enqueue('send', topic, async () => {
      if (messages.length === 0) return [];
      // The library takes an explicit partition modulo the partition count: refuse one that does not exist instead.
      const explicit = messages.filter((m) => m.partition !== undefined).map((m) => m.partition!);
      if (explicit.length > 0) {
        const count = await this.partitionCount(topic);
        const wrong = explicit.find((p) => !Number.isInteger(p) || p < 0 || p >= count);
        if (wrong !== undefined) {
          throw new KafkaClientError(`send(${topic}): partition ${wrong} does not exist (topic has ${count})`, { retriable: false, code: 'UNKNOWN_TOPIC_OR_PARTITION' });
        }
      }
      const sticky = messages.some((m) => m.key == null && m.partition === undefined) ? await this.takePartition(topic) : 0;
      return messages.map((m) => toOutgoing(topic, m, sticky));
    });
  }

  sendBlock(topic: string, block: KafkaValueBlock): Promise<KafkaSendResult[]> {
    return this.enqueue('sendBlock', topic, async () => {
      const { values, offsets } = block;
      const count = offsets.length - 1;
      if (count <= 0) return [];
      const timestamp = BigInt(block.timestamp ?? Date.now());
      const out: Outgoing[] = new Array(count);
      let partition = await this.takePartition(topic);
      let runStart = offsets[0]!;
      for (let i = 0; i < count; i++) {
        const from = offsets[i]!;
        if (from - runStart >= this.maxRunBytes) {
          partition = await this.takePartition(topic);
          runStart = from;
        }
        out[i] = { topic, partition, value: values.subarray(from, offsets[i + 1]!), timestamp };
      }
      return out;
    });
  }

  async disconnect(): Promise<void> {
    if (this.closed) return this.closed;
    this.closed = (async () => {
      await this.chain;
      await settleWithin(this.producer.close(true), 2_000);
    })();
    return this.closed;
  }

  /** Runs `build` then the send after every earlier send settled; rejects when not connected. */
  protected enqueue(op: string, topic: string, build: () => Promise<Outgoing[]>): Promise<KafkaSendResult[]> {
    if (this.closed) return Promise.reject(new KafkaClientError(`${op}() after disconnect()`, { retriable: false }));
    if (!this.connected) return Promise.reject(new KafkaClientError(`${op}() before connect()`, { retriable: false }));
    const refused = this.refusal(op);
    if (refused) return Promise.reject(refused);
    const result = this.chain.then(async () => {
      const messages = await build();
      if (messages.length === 0) return [];
      const produced = await mapped(this.ctx, `${op}(${topic})`, () => this.produce(messages));
      return sendResults(produced);
    });
    this.sendStarted(result);
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Why a send may not start now (a transactional producer: no open transaction), or null. */
  protected refusal(_op: string): KafkaClientError | null {
    return null;
  }

  /** Sees every send (a transactional producer remembers a failed one). */
  protected sendStarted(_result: Promise<KafkaSendResult[]>): void {}

  /** Settles once every send issued so far settled. */
  protected sendsSettled(): Promise<unknown> {
    return this.chain;
  }

  /** Hands the records to the library; a transactional producer sends through its transaction. */
  protected produce(messages: Outgoing[]): Promise<ProduceResult> {
    return this.producer.send({ messages, autocreateTopics: this.autocreateTopics });
  }

  /** How many partitions `topic` has (creating it if allowed and missing). */
  private async partitionCount(topic: string): Promise<number> {
    const metadata = await mapped(this.ctx, `metadata(${topic})`, () => this.producer.metadata({ topics: [topic], autocreateTopics: this.autocreateTopics }));
    return metadata.topics.get(topic)?.partitionsCount ?? 1;
  }

  /** The partition for the next keyless run of `topic`, rotating over its partitions. */
  private async takePartition(topic: string): Promise<number> {
    const partitions = await this.partitionCount(topic);
    const next = this.nextPartition.get(topic) ?? Math.floor(Math.random() * partitions);
    this.nextPartition.set(topic, (next + 1) % partitions);
    return next % partitions;
  }
}

function toOutgoing(topic: string, m: KafkaOutgoingMessage, sticky: number): Outgoing {
  const key = m.key == null ? undefined : typeof m.key === 'string' ? Buffer.from(m.key) : m.key;
  const out: Outgoing = {
    topic,
    ...(m.value === null ? {} : { value: typeof m.value === 'string' ? Buffer.from(m.value) : m.value }),
    // keyed: the partitioner hashes the key; keyless: this send's partition
    partition: m.partition ?? (key === undefined ? sticky : undefined),
    timestamp: BigInt(m.timestamp ?? Date.now()),
  };
  if (key !== undefined) out.key = key;
  if (m.headers) out.headers = toHeaderMap(m.headers);
  return out;
}

/** Header entries in order; a name with several values appears once per value. */
function toHeaderMap(headers: KafkaHeadersInput): Map<HeaderName, Buffer> {
  const entries = new Map<HeaderName, Buffer>();
  for (const [name, raw] of Object.entries(headers)) {
    const values = Array.isArray(raw) ? (raw as ReadonlyArray<Buffer | string>) : [raw as Buffer | string];
    for (const v of values) entries.set({ name }, typeof v === 'string' ? Buffer.from(v) : v);
  }
  return entries;
}

/** One result per partition written: the first offset the send got there. */
function sendResults(produced: ProduceResult): KafkaSendResult[] {
  const first = new Map<string, KafkaSendResult>();
  for (const o of produced.offsets ?? []) {
    const k = `${o.topic}\u0000${o.partition}`;
    const prev = first.get(k);
    if (!prev || BigInt(o.offset) < BigInt(prev.baseOffset)) first.set(k, { topic: o.topic, partition: o.partition, baseOffset: o.offset.toString() });
  }
  return [...first.values()].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}
