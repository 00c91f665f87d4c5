import { debuglog } from 'node:util';
import { isDeepStrictEqual } from 'node:util';
import { CheckpointRecoveryError } from '../../../sdk/errors.js';
import type { RecoverContext } from '../../../sdk/io/two-phase-commit.js';
import { KafkaClientError, type KafkaPreparingProducerPort, type PreparedKafkaTransaction } from './client.js';
import { KafkaClusterChangedError } from './cluster-changed-error.js';

/** `NODE_DEBUG=watershed-checkpoint`: the slots' fencing, prepares and commits, beside the coordinator's lines. */
const trace = debuglog('watershed-checkpoint');

/**
 * What exactly-once `KafkaIO.write` stores in a checkpoint for its pending output: the prepared
 * transaction, the checkpoint it belongs to, and the transaction timeout it was opened with (named in
 * the error if the transaction expired before a resumed run could commit it). Plain JSON.
 */
export interface KafkaWriteHandle extends PreparedKafkaTransaction {
  readonly seq: number;
  readonly transactionTimeoutMs: number;
}

/** How {@link TransactionSlots} makes producers and commits handles of a crashed run. */
export interface TransactionSlotsOptions {
  /** The step, for errors. */
  readonly step: string;
  /** The bootstrap brokers, for errors. */
  readonly brokers?: readonly string[];
  /** The transactional ids of slot 0 and slot 1 (stable per job, step and subtask). */
  readonly ids: readonly [string, string];
  readonly transactionTimeoutMs: number;
  /**
   * The broker outage budget: how long starting the slots (mid-run, at the first record or
   * checkpoint) keeps trying while the cluster cannot be reached. Default 60,000 ms.
   */
  readonly outageTimeoutMs?: number;
  /** How long {@link TransactionSlots.abort} waits for the broker (best effort). Default 5,000 ms. */
  readonly abortTimeoutMs?: number;
  /** A transactional producer with that id (not connected). */
  readonly producer: (transactionalId: string) => KafkaPreparingProducerPort;
  /** Commits a handle prepared by another process (`WireProducer.commitPrepared`). */
  readonly commitPrepared: (handle: KafkaWriteHandle, context: { readonly checkpoint: string }) => Promise<void>;
}

/** The name of checkpoint `seq` in its directory, as the checkpoint repository writes it. */
const checkpointName = (seq: number): string => `checkpoints/ck-${String(seq).padStart(12, '0')}`;

/**
 * The two transactional producers of one exactly-once Kafka sink (design §g): records go into the
 * open transaction of the *active* slot; at a checkpoint barrier that transaction is prepared (its
 * handle goes into the checkpoint) and the other slot begins the next one; once the checkpoint is
 * durable the prepared one commits. A slot is reused only after its transaction committed, so at
 * most one transaction is prepared and one open at any time.
 *
 * After a crash, {@link recover} commits the restored checkpoint's handle by its producer id and
 * epoch. The slots are *started* (connected: InitProducerId per id, which fences the crashed run's
 * producers and aborts their open transactions, whose records the replay writes again) only after
 * that, lazily, at the first record or checkpoint: by then the coordinator has written the restored
 * checkpoint's commit marker, so a crash during startup never leaves a committed transaction that
 * the next run tries to commit again with an epoch the fencing made stale.
 *
 * @example
 * const slots = new TransactionSlots({ step, ids: ['p.Out.0.0', 'p.Out.0.1'], transactionTimeoutMs, producer, commitPrepared });
 * await slots.recover(restoredHandle, ctx);
 * await (await slots.start()).send('out', records);
 * const handle = await slots.preCommit(42);   // into checkpoint 42
 * await slots.commit(handle!);                // checkpoint 42 is durable
 */
export class TransactionSlots {
  private producers: KafkaPreparingProducerPort[] | undefined;
  /** Every producer made (for close, also those of a start that failed half-way). */
  private made: KafkaPreparingProducerPort[] = [];
  private closed = false;
  private starting: Promise<KafkaPreparingProducerPort> | undefined;
  private active = 0;
  /** Per slot: the handle of its prepared transaction, until committed. */
  private readonly prepared: Array<KafkaWriteHandle | undefined> = [undefined, undefined];
  /** Per slot: the handle it committed last (a repeated commit of it is a no-op). */
  private readonly committed: Array<KafkaWriteHandle | undefined> = [undefined, undefined];
  /** The restored checkpoint's handle, when it names its cluster: the slots must connect to that cluster. */
  private restored: KafkaWriteHandle | undefined;

  constructor(private readonly o: TransactionSlotsOptions) {}

  /** The producer of the open transaction, once started (undefined before). */
  get current(): KafkaPreparingProducerPort | undefined {
    return this.producers?.[this.active];
  }

  /**
   * Commits `pending` (the restored checkpoint's handle) unless `ctx.committed`, and picks the slot the
   * next transaction opens on. Connects nothing else.
   * @throws CheckpointRecoveryError when the transaction can no longer be committed (see `WireProducer.commitPrepared`),
   *   and, before any I/O, when the run falls back past a corrupt checkpoint whose output was committed
   *   (`ctx.skipped`): the replay would write those records to the topic a second time.
   */
  async recover(pending: KafkaWriteHandle | undefined, ctx: RecoverContext): Promise<void> {
    const lost = ctx.skipped?.find((s) => s.committed);
    if (lost !== undefined) {
      const from = ctx.restoredSeq !== undefined ? checkpointName(ctx.restoredSeq) : 'an older checkpoint';
      const marker = lost.checkpoint.replace(/^checkpoints\//, 'commits/');
      throw new CheckpointRecoveryError(
        this.o.step,
        `${lost.checkpoint} is corrupt and its output was already committed to Kafka; resuming from ${from} would write that output ` +
          `again, and a topic cannot take records back. Restore ${lost.checkpoint} from a copy and run again; or, to resume from ${from} ` +
          `accepting those records twice, delete ${lost.checkpoint} and ${marker} from the checkpoint directory; or start afresh with a new --checkpointDir`,
        { checkpoint: lost.checkpoint },
      );
    }
    if (pending !== undefined && !ctx.committed) {
      if (typeof pending !== 'object' || pending === null || typeof pending.transactionalId !== 'string') {
        throw new CheckpointRecoveryError(this.o.step, `the checkpoint holds ${JSON.stringify(pending)?.slice(0, 200)}, which is not a Kafka transaction handle`);
      }
      await this.o.commitPrepared(pending, { checkpoint: checkpointName(ctx.restoredSeq ?? pending.seq) });
      trace('%s: committed the restored handle %j', this.o.step, pending);
    }
    if (typeof pending === 'object' && pending !== null && typeof pending.clusterId === 'string') this.restored = pending;
    this.active = ((ctx.restoredSeq ?? 0) + 1) % 2;
  }

  /**
   * Connects both slots (once; each InitProducerId fences earlier producers of its id and aborts their
   * open transaction) and begins a transaction on the active one, which it returns. A broker that
   * cannot be reached is waited for, with backoff (250 ms doubling to 5 s), for `outageTimeoutMs`.
   * @throws the last connection error once the budget is spent (a KafkaUnavailableError), or at once
   *   an error retrying cannot fix (e.g. authentication).
   * @throws KafkaClusterChangedError, before any transaction begins, when the restored checkpoint's
   *   output was written to another cluster than the one the slots connected to (wiped or replaced since).
   */
  start(): Promise<KafkaPreparingProducerPort> {
    this.starting ??= (async () => {
      const producers: KafkaPreparingProducerPort[] = [];
      for (const id of this.o.ids) producers.push(await this.connectWithin(id));
      const was = this.restored?.clusterId;
      const now = producers[0]!.clusterId;
      if (was !== undefined && now !== undefined && now !== was) {
        throw new KafkaClusterChangedError(this.o.step, was, now, {
          brokers: this.o.brokers ?? [],
          holds: 'the output it committed to Kafka',
          checkpoint: checkpointName(this.restored!.seq),
        });
      }
      if (this.closed) throw new KafkaClientError(`step '${this.o.step}': the Kafka sink was closed while it connected`, { retriable: false });
      this.producers = producers;
      trace('%s: slots started (fenced %s), active %d', this.o.step, this.o.ids.join(', '), this.active);
      const p = producers[this.active]!;
      p.beginTransaction();
      return p;
    })();
    return this.starting;
  }

  /** A connected producer with `id`, trying again (with a new producer) on retriable failures within the outage budget. */
  private async connectWithin(id: string): Promise<KafkaPreparingProducerPort> {
    const budget = this.o.outageTimeoutMs ?? 60_000;
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      const p = this.o.producer(id);
      this.made.push(p);
      try {
        await p.connect();
        return p;
      } catch (e) {
        await p.disconnect().catch(() => undefined);
        const left = started + budget - performance.now();
        if (!(e instanceof KafkaClientError && e.retriable) || left <= 0 || this.closed) throw e;
        await new Promise((r) => setTimeout(r, Math.min(left, 250 * 2 ** Math.min(attempt, 5), 5_000)));
      }
    }
  }

  /**
   * At checkpoint `seq`'s barrier (every send of the open transaction settled): prepares the active
   * slot's transaction and begins the next one on the other slot. Returns the prepared handle, or
   * undefined when the transaction wrote nothing (the same slot goes on). Starts the slots if nothing
   * did yet, so a crashed run's open transactions are fenced within one checkpoint interval.
   * @throws the first failure of the transaction's sends (the checkpoint, and the run, fail).
   */
  async preCommit(seq: number): Promise<KafkaWriteHandle | undefined> {
    if (this.producers === undefined) {
      await this.start();
      return undefined;
    }
    await this.starting;
    const p = this.producers[this.active]!;
    const prepared = await p.prepareTransaction();
    if (prepared === undefined) {
      p.beginTransaction();
      return undefined;
    }
    const handle: KafkaWriteHandle = { ...prepared, seq, transactionTimeoutMs: this.o.transactionTimeoutMs };
    trace('%s: prepared slot %d for checkpoint %d: %j', this.o.step, this.active, seq, prepared);
    this.prepared[this.active] = handle;
    const next = 1 - this.active;
    if (this.prepared[next] !== undefined) {
      throw new Error(`step '${this.o.step}': internal: slot ${next} still holds the prepared transaction of checkpoint ${this.prepared[next]!.seq} at checkpoint ${seq}`);
    }
    this.producers[next]!.beginTransaction();
    this.active = next;
    return handle;
  }

  /**
   * The checkpoint holding `handle` is durable: commits its prepared transaction. Idempotent: the
   * handle this slot committed last commits again as a no-op.
   * @throws CheckpointRecoveryError for a handle this run did not prepare (nothing can be committed safely).
   */
  async commit(handle: KafkaWriteHandle): Promise<void> {
    const slot = this.o.ids.indexOf(handle.transactionalId);
    if (slot >= 0 && isDeepStrictEqual(this.committed[slot], handle)) return;
    const prepared = slot >= 0 ? this.prepared[slot] : undefined;
    if (prepared === undefined || !isDeepStrictEqual(prepared, handle)) {
      throw new CheckpointRecoveryError(this.o.step, `checkpoint ${handle.seq}'s Kafka transaction "${handle.transactionalId}" is not one this run prepared and holds`, {
        checkpoint: checkpointName(handle.seq),
      });
    }
    await this.producers![slot]!.commitTransaction();
    trace('%s: committed slot %d (checkpoint %d)', this.o.step, slot, handle.seq);
    this.prepared[slot] = undefined;
    this.committed[slot] = handle;
  }

  /**
   * The run fails or is cancelled: aborts the open transaction (best effort; a failure is ignored,
   * since the next run fences it anyway). A prepared transaction is left for the next run's recover.
   */
  async abort(): Promise<void> {
    const aborting = this.current?.abortTransaction().catch(() => undefined);
    if (aborting === undefined) return;
    // A failed run may have failed because the broker is away: do not wait the whole outage budget again.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([aborting, new Promise<void>((r) => (timer = setTimeout(r, this.o.abortTimeoutMs ?? 5_000)))]);
    clearTimeout(timer);
  }

  /** Disconnects both producers (open transactions stay open: the next run fences them). */
  async close(): Promise<void> {
    this.closed = true;
    await this.starting?.catch(() => undefined);
    const ps = this.made;
    this.made = [];
    this.producers = undefined;
    this.starting = undefined;
    for (const p of ps) await p.disconnect().catch(() => undefined);
  }
}
