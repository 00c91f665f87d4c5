/**
 * {@link KafkaTransactionalProducerPort} over @platformatic/kafka's transactions.
 *
 * - `connect()` opens and drops a first transaction locally: the library's InitProducerId with the
 *   transactional id, which fences an earlier producer with the same id (its open transaction is
 *   aborted, its later calls fail with `PRODUCER_FENCED` / `INVALID_PRODUCER_EPOCH`).
 * - `sendOffsetsToTransaction(groupId, offsets)` adds the group to the transaction and commits each
 *   offset through it as a consumer outside the group would (generation -1, no member id), found at
 *   the group's coordinator. The library only offers this per consumed message of a live group
 *   member, so the offsets are handed over as such messages.
 * - A failed send or offsets call fails `commitTransaction()` (the transaction stays open);
 *   `abortTransaction()` then aborts it and replaces the library's producer with a new one for the
 *   same id, which starts a new epoch (the failed sends spent sequence numbers the broker never saw).
 * - A transaction without records or offsets commits without asking the coordinator.
 *
 * @example
 * ```ts
 * const p = new PlatformaticTransactionalProducer(ctx, { compression: 'lz4' }, 'pipeline-1');
 * await p.connect();
 * p.beginTransaction();
 * await p.send('out', [{ key: 'k', value: 'v' }]);
 * await p.sendOffsetsToTransaction('pipeline-1-group', [{ topic: 'in', partition: 0, offset: '42' }]);
 * await p.commitTransaction();
 * ```
 */
import { Consumer, type Message, type ProduceResult, type Producer } from '@platformatic/kafka';
import { guardClientConnections } from './connection-errors.js';
import {
  KafkaClientError,
  type KafkaOffsetCommit,
  type KafkaProducerOptions,
  type KafkaSendResult,
  type KafkaTransactionalProducerPort,
} from '../client.js';
import { settleWithin } from './connect-deadline.js';
import { type PlatformaticContext, mapped } from './context.js';
import { brokerErrorName, mapPlatformaticError } from './errors.js';
import { PlatformaticProducer, type HeaderName, type Outgoing } from './producer.js';

/** The library's Transaction class (not exported by name). */
type LibraryTransaction = Awaited<ReturnType<Producer<Buffer, Buffer, HeaderName, Buffer>['beginTransaction']>>;

const FENCED = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']);

export class PlatformaticTransactionalProducer extends PlatformaticProducer implements KafkaTransactionalProducerPort {
  private txn: Promise<LibraryTransaction> | null = null;
  /** Whether the open transaction wrote anything (records or offsets) the coordinator must end. */
  private touched = false;
  private failure: KafkaClientError | null = null;
  private offsetCalls: Promise<unknown> = Promise.resolve();

  constructor(
    ctx: PlatformaticContext,
    options: KafkaProducerOptions,
    private readonly transactionalId: string,
  ) {
    super(ctx, options, transactionalId);
  }

  protected override async initialise(): Promise<void> {
    await this.producer.metadata({ topics: [] });
    const first = await this.producer.beginTransaction();
    await first.cancel();
  }

  beginTransaction(): void {
    if (this.txn) throw new KafkaClientError('beginTransaction(): a transaction is already open', { retriable: false, code: 'INVALID_TXN_STATE' });
    this.failure = null;
    this.touched = false;
    const txn = this.producer.beginTransaction();
    txn.catch((e: unknown) => (this.failure ??= this.mapError(e, 'beginTransaction')));
    this.txn = txn;
  }

  sendOffsetsToTransaction(groupId: string, offsets: readonly KafkaOffsetCommit[]): Promise<void> {
    const txn = this.txn;
    if (!txn) return Promise.reject(this.noTransaction('sendOffsetsToTransaction'));
    this.touched = true;
    const call = (async () => {
      try {
        const tx = await txn;
        await tx.addConsumer({ groupId } as unknown as Consumer);
        const coordinatorId = await this.groupCoordinator(groupId);
        for (const o of offsets) {
          // The library commits `message.offset + 1`: the offset of the next record to read.
          const asConsumed = { topic: o.topic, partition: o.partition, offset: BigInt(o.offset) - 1n, metadata: { consumer: { groupId, generationId: -1, memberId: '', coordinatorId } } };
          await tx.addOffset(asConsumed as unknown as Message);
        }
      } catch (e) {
        throw (this.failure ??= this.mapError(e, `TxnOffsetCommit(${groupId})`));
      }
    })();
    this.offsetCalls = Promise.allSettled([this.offsetCalls, call]);
    return call;
  }

  async commitTransaction(): Promise<void> {
    const txn = this.txn;
    if (!txn) throw this.noTransaction('commitTransaction');
    await this.sendsSettled();
    await this.offsetCalls;
    if (this.failure) throw this.failure;
    const tx = await txn;
    try {
      await (this.touched ? tx.commit() : tx.cancel());
    } catch (e) {
      throw (this.failure = this.mapError(e, 'commitTransaction'));
    }
    this.txn = null;
  }

  async abortTransaction(): Promise<void> {
    const txn = this.txn;
    if (!txn) throw this.noTransaction('abortTransaction');
    await this.sendsSettled();
    await this.offsetCalls;
    const failed = this.failure !== null;
    try {
      const tx = await txn;
      await (this.touched ? tx.abort() : tx.cancel());
    } catch (e) {
      if (!failed) throw this.mapError(e, 'abortTransaction');
    }
    this.txn = null;
    this.failure = null;
    if (failed) await this.renew();
  }

  protected override refusal(op: string): KafkaClientError | null {
    return this.txn ? null : new KafkaClientError(`${op}() outside a transaction: call beginTransaction() first`, { retriable: false, code: 'INVALID_TXN_STATE' });
  }

  protected override sendStarted(result: Promise<KafkaSendResult[]>): void {
    this.touched = true;
    result.catch((e: unknown) => (this.failure ??= this.mapError(e, 'send')));
  }

  protected override async produce(messages: Outgoing[]): Promise<ProduceResult> {
    const tx = await this.txn!;
    return tx.send({ messages, autocreateTopics: this.autocreateTopics });
  }

  /** A new library producer for the same id: InitProducerId starts a new epoch with fresh sequence numbers. */
  private async renew(): Promise<void> {
    await settleWithin(this.producer.close(true), 2_000);
    this.producer = this.newLibraryProducer(this.transactionalId);
    await mapped(this.ctx, 'abortTransaction (new epoch)', () => this.initialise());
  }

  /** The node coordinating `groupId`. */
  private async groupCoordinator(groupId: string): Promise<number> {
    const finder = guardClientConnections(new Consumer({ ...this.ctx.base, groupId }));
    try {
      return await finder.findGroupCoordinator();
    } finally {
      await settleWithin(finder.close(true), 1_000);
    }
  }

  private noTransaction(op: string): KafkaClientError {
    return new KafkaClientError(`${op}(): no open transaction`, { retriable: false, code: 'INVALID_TXN_STATE' });
  }

  /** Maps an error; fencing gets a message that says so. */
  private mapError(e: unknown, op: string): KafkaClientError {
    const mapped = mapPlatformaticError(e, this.ctx.brokers, op);
    const name = brokerErrorName(e);
    if (name === undefined || !FENCED.has(name)) return mapped;
    return new KafkaClientError(`Kafka ${op} failed: producer fenced by a newer producer with transactional id '${this.transactionalId}' (${name})`, {
      retriable: false,
      code: name,
      cause: e,
    });
  }
}
