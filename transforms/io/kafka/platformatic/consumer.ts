/**
 * {@link KafkaConsumerPort} over @platformatic/kafka's `Consumer`, with a fetch loop of its own.
 *
 * The library's `MessagesStream` can only pause all its partitions at once and always joins a group
 * for its topics, while the port needs per-partition pause/resume and manual assignment. So this
 * consumer uses the library for what it does well, metadata, group membership (`joinGroup`, with
 * its heartbeats and rebalances), `listOffsets`, `commit` and `fetch` (which drops the records of
 * aborted transactions), and runs the loop itself:
 *
 * - each round sends one Fetch per partition leader for the partitions that are neither paused nor
 *   held, on a connection pool of its own (so commits and heartbeats do not queue behind a long poll),
 *   and while the handler works through a round's batches the next round is already being fetched;
 * - a batch of a partition paused after it was fetched is held back and delivered first on resume, so
 *   no batch of a paused partition reaches the handler and nothing is fetched twice; while a partition
 *   has a held batch, its later batches (of a round fetched before the pause) join the held one, so a
 *   partition resumed meanwhile still gets its records in offset order;
 * - control records (transaction markers), records of aborted transactions (./committed-batches.ts,
 *   which also catches what the library's own filter lets through) and records before the requested
 *   offset are skipped; a fetch of nothing else goes to `onSkipped`; with `LogAppendTime` every record
 *   gets the batch's max timestamp; every batch (and every `onSkipped`) says which offsets it accounts
 *   for, `fetchOffset` up to `nextOffset`, so the reader can tell lost records from offsets without any;
 * - an offset out of range falls back to the partition's earliest offset; other fetch failures are
 *   retried 3 times with fresh metadata, then stop the consumer and go to `onError`; a round whose
 *   request to one broker failed is fetched again as a whole (positions move only when every broker
 *   of the round answered), so what the other brokers returned is fetched again rather than skipped;
 * - the loop waits when every partition is paused or held, and every change that gives it something
 *   to fetch (a resume, a held batch handed out, a new assignment) wakes it, also one that comes
 *   before it waits.
 *
 * Manual assignment commits as a "simple" consumer (generation -1, no member id), which Kafka accepts
 * for a group without active members. Batches are delivered one at a time
 * (`partitionsConsumedConcurrently` above 1 is allowed by the port's contract and not used).
 *
 * @example
 * ```ts
 * const consumer = new PlatformaticConsumer(platformaticContext({ brokers }), {});
 * await consumer.connect();
 * await consumer.assign([{ topic: 'events', partition: 0, startOffset: 'earliest' }]);
 * await consumer.run(async (batch) => console.log(batch.messages.length));
 * ```
 */
import { randomUUID } from 'node:crypto';
import { guardClientConnections, guardPoolConnections } from './connection-errors.js';
import { Consumer, ConnectionPool, FetchIsolationLevels, ListOffsetTimestamps, type ClusterMetadata, type fetchV17 } from '@platformatic/kafka';
import {
  KafkaClientError,
  type KafkaBatch,
  type KafkaBatchHandler,
  type KafkaConsumerOptions,
  type KafkaConsumerPort,
  type KafkaMessage,
  type KafkaOffsetCommit,
  type KafkaPartitionAssignment,
  type KafkaRunOptions,
  type KafkaTopicPartition,
} from '../client.js';
import { requireAssignable, requireSubscribable, type ConsumerMode } from '../consumer-mode.js';
import { batchMessages } from './batch-messages.js';
import { committedBatches } from './committed-batches.js';
import { connectWithin, settleWithin } from './connect-deadline.js';
import { type PlatformaticContext, mapped, tpKey } from './context.js';
import { brokerErrorName, mapPlatformaticError } from './errors.js';

type ConsumerState = 'new' | 'connected' | 'running' | 'stopped' | 'disconnected';

/** Where the loop reads a partition next. */
interface Position extends KafkaTopicPartition {
  offset: bigint;
  /**
   * The next batch's `fetchOffset`: the first offset no batch accounted for yet. Equal to `offset`,
   * except after a move forward past deleted records (an out-of-range reset, a start below the log
   * start), which were not the consumer's to deliver.
   */
  fetchOffset: bigint;
}

const FETCH_FAILURES_BEFORE_STOP = 3;

type FetchResponse = fetchV17.FetchResponse;

export class PlatformaticConsumer implements KafkaConsumerPort {
  private readonly consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  private readonly pool: ConnectionPool;
  private readonly explicitGroup: boolean;
  private readonly maxWaitTimeMs: number;
  private readonly maxBytesPerPartition: number;
  private readonly isolationLevel: number;
  private state: ConsumerState = 'new';
  private mode: ConsumerMode = 'none';
  private subscription: { topics: string[]; fromBeginning: boolean } | null = null;
  private readonly positions = new Map<string, Position>();
  private readonly pausedPartitions = new Map<string, KafkaTopicPartition>();
  private readonly held = new Map<string, KafkaBatch>();
  private wakeUp: (() => void) | null = null;
  /** A wake-up that came while the loop was not waiting: its next wait returns at once. */
  private woken = false;
  private loop: Promise<void> | null = null;
  private onError: ((error: unknown) => void) | undefined;
  private onSkipped: KafkaRunOptions['onSkipped'];
  private reported = false;

  constructor(
    private readonly ctx: PlatformaticContext,
    options: KafkaConsumerOptions,
  ) {
    this.explicitGroup = options.groupId !== undefined;
    const groupId = options.groupId ?? `watershed-assign-${randomUUID()}`;
    if (groupId === '') throw new KafkaClientError('consumer groupId must not be empty', { retriable: false });
    this.maxWaitTimeMs = options.maxWaitTimeMs ?? 1_000;
    this.maxBytesPerPartition = options.maxBytesPerPartition ?? 1_048_576;
    this.isolationLevel = options.readUncommitted ? FetchIsolationLevels.READ_UNCOMMITTED : FetchIsolationLevels.READ_COMMITTED;
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    this.consumer = guardClientConnections(new Consumer<Buffer, Buffer, Buffer, Buffer>({
      ...ctx.base,
      groupId,
      autocommit: false,
      sessionTimeout,
      rebalanceTimeout: Math.max(sessionTimeout, 60_000),
      heartbeatInterval: Math.max(100, Math.min(3_000, Math.floor(sessionTimeout / 3))),
      maxWaitTime: this.maxWaitTimeMs,
      isolationLevel: this.isolationLevel,
    }));
    // A failed rejoin is emitted as 'error': without a listener it would be thrown.
    this.consumer.on('error', (error: Error) => this.fail(mapPlatformaticError(error, ctx.brokers, 'rejoin group')));
    this.consumer.on('consumer:group:join', () => this.wake());
    // The fetch connections need the cluster's TLS and SASL settings as much as the library's own.
    const { tls, sasl } = ctx.base;
    this.pool = guardPoolConnections(new ConnectionPool(String(ctx.base.clientId), {
      connectTimeout: ctx.base.connectTimeout,
      requestTimeout: ctx.base.requestTimeout,
      ...(tls ? { tls } : {}),
      ...(sasl ? { sasl } : {}),
    }));
  }

  async connect(): Promise<void> {
    this.requireState('connect', ['new']);
    await connectWithin(
      { what: 'consumer', brokers: this.ctx.brokers, deadlineMs: this.ctx.connectDeadlineMs },
      () => this.consumer.metadata({ topics: [] }),
      () => this.disconnect(),
    );
    this.state = 'connected';
  }

  async subscribe(options: { topics: readonly string[]; fromBeginning?: boolean }): Promise<void> {
    this.requireState('subscribe', ['connected']);
    requireSubscribable(this.mode, this.explicitGroup, options.topics);
    this.subscription = { topics: [...options.topics], fromBeginning: options.fromBeginning ?? false };
    this.consumer.topics.trackAll(...options.topics);
    this.mode = 'subscribe';
  }

  async assign(partitions: readonly KafkaPartitionAssignment[]): Promise<void> {
    this.requireState('assign', ['connected']);
    requireAssignable(this.mode, partitions);
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const [low, high] = await Promise.all([this.offsetsAt(topics, ListOffsetTimestamps.EARLIEST), this.offsetsAt(topics, ListOffsetTimestamps.LATEST)]);
    const resolved: Position[] = [];
    for (const p of partitions) {
      const lo = low.get(p.topic)?.[p.partition];
      const hi = high.get(p.topic)?.[p.partition];
      if (lo === undefined || hi === undefined) {
        const count = low.get(p.topic)?.length ?? 0;
        throw new KafkaClientError(`assign(): partition ${p.topic}/${p.partition} does not exist (topic has ${count})`, {
          retriable: false,
          code: 'UNKNOWN_TOPIC_OR_PARTITION',
        });
      }
      let offset: bigint;
      if (p.startOffset === 'earliest') offset = lo;
      else if (p.startOffset === 'latest') offset = hi;
      else if (/^\d+$/.test(p.startOffset)) offset = BigInt(p.startOffset);
      else throw new KafkaClientError(`assign(): invalid start offset "${p.startOffset}" for ${p.topic}/${p.partition}`, { retriable: false });
      const requested = offset;
      if (offset < lo || offset > hi) offset = lo;
      // Offsets below the log start were deleted (nothing to deliver): the first batch accounts from the requested offset.
      resolved.push({ topic: p.topic, partition: p.partition, offset, fetchOffset: requested < offset ? requested : offset });
    }
    for (const r of resolved) this.positions.set(tpKey(r.topic, r.partition), r);
    this.consumer.topics.trackAll(...topics);
    // Commits of a consumer that is no group member: Kafka's "simple consumer" (generation -1).
    this.consumer.generationId = -1;
    this.consumer.memberId = '';
    this.mode = 'assign';
  }

  async run(handler: KafkaBatchHandler, options: KafkaRunOptions = {}): Promise<void> {
    this.requireState('run', ['connected']);
    if (this.mode === 'none') throw new KafkaClientError('run() before subscribe() / assign()', { retriable: false });
    this.onError = options.onError;
    this.onSkipped = options.onSkipped;
    this.state = 'running';
    if (this.mode === 'subscribe') {
      try {
        await mapped(this.ctx, 'run (join group)', () => this.consumer.joinGroup({}));
        await this.adoptAssignment();
      } catch (error) {
        this.state = 'stopped';
        throw mapPlatformaticError(error, this.ctx.brokers, 'run');
      }
    }
    this.loop = this.fetchLoop(handler);
  }

  pause(partitions: readonly KafkaTopicPartition[]): void {
    if (this.state === 'stopped' || this.state === 'disconnected') return;
    for (const p of partitions) this.pausedPartitions.set(tpKey(p.topic, p.partition), { topic: p.topic, partition: p.partition });
  }

  resume(partitions: readonly KafkaTopicPartition[]): void {
    if (this.state === 'stopped' || this.state === 'disconnected') return;
    for (const p of partitions) this.pausedPartitions.delete(tpKey(p.topic, p.partition));
    this.wake();
  }

  paused(): KafkaTopicPartition[] {
    if (this.state === 'stopped' || this.state === 'disconnected') return [];
    return [...this.pausedPartitions.values()];
  }

  async commitOffsets(offsets: readonly KafkaOffsetCommit[]): Promise<void> {
    if (this.state !== 'running') throw new KafkaClientError(`commitOffsets() needs a running consumer (state: ${this.state})`, { retriable: false });
    if (offsets.length === 0) return;
    await mapped(this.ctx, 'commitOffsets', () =>
      this.consumer.commit({ offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: BigInt(o.offset), leaderEpoch: -1 })) }),
    );
  }

  async disconnect(): Promise<void> {
    if (this.state === 'disconnected') return;
    this.state = 'disconnected';
    this.wake();
    if (this.loop) await settleWithin(this.loop, this.maxWaitTimeMs + 2_000);
    if (this.mode === 'subscribe') await settleWithin(new Promise<void>((resolve) => this.consumer.leaveGroup(true, () => resolve())), 2_000);
    await settleWithin(this.pool.close(), 1_000);
    await settleWithin(this.consumer.close(true), 2_000);
  }

  // -------------------------------------------------------------------------------------

  private get live(): boolean {
    return this.state === 'running';
  }

  /**
   * Ends the fetch loop's wait for something to fetch. Called on every change that can give it
   * something: a resume, a held batch handed out, a new assignment, a stop. A wake while nothing
   * waits is kept for the next wait, so it is never lost.
   */
  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    if (w) w();
    else this.woken = true;
  }

  /** Waits for {@link wake}; returns at once if one came since the last wait. */
  private sleep(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.wakeUp = resolve));
  }

  /** Delivers fetched batches until the consumer stops; a round is fetched while the previous one is handled. */
  private async fetchLoop(handler: KafkaBatchHandler): Promise<void> {
    let failures = 0;
    let next: Promise<KafkaBatch[]> | null = null;
    while (this.live) {
      try {
        if (this.mode === 'subscribe') await this.adoptAssignment();
        if (!(await this.deliverHeld(handler))) return;
        const round = await (next ?? this.fetchRound());
        next = null;
        failures = 0;
        if (!this.live) return;
        next = this.fetchRound();
        next.catch(() => undefined); // awaited in the next turn
        for (const batch of round) {
          const key = tpKey(batch.topic, batch.partition);
          if (!this.positions.has(key)) continue; // revoked meanwhile
          // Held records of a partition go out first: this round may have been fetched before the
          // partition was paused, and it may have been resumed since the held batch was last checked.
          if (this.pausedPartitions.has(key) || this.held.has(key)) {
            this.hold(key, batch);
            continue;
          }
          if (!(await this.handle(handler, batch))) return;
        }
      } catch (error) {
        next = null;
        if (!this.live) return;
        if (++failures >= FETCH_FAILURES_BEFORE_STOP) {
          this.fail(mapPlatformaticError(error, this.ctx.brokers, 'consume'));
          return;
        }
        this.consumer.clearMetadata();
        await new Promise((r) => setTimeout(r, 250 * failures));
      }
    }
  }

  /** Runs the handler on one batch (a batch without messages goes to `onSkipped`); false (and the consumer stopped) if it threw. */
  private async handle(handler: KafkaBatchHandler, batch: KafkaBatch): Promise<boolean> {
    try {
      if (batch.messages.length === 0) this.onSkipped?.({ topic: batch.topic, partition: batch.partition, nextOffset: batch.nextOffset!, fetchOffset: batch.fetchOffset! });
      else await handler(batch);
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  /** Delivers the held batches of partitions resumed since; false if the handler threw. */
  private async deliverHeld(handler: KafkaBatchHandler): Promise<boolean> {
    for (const [key, batch] of [...this.held]) {
      if (this.pausedPartitions.has(key)) continue;
      this.held.delete(key);
      // The partition can be fetched again: a round already waiting for something to fetch must see it.
      this.wake();
      if (!this.positions.has(key)) continue;
      if (!(await this.handle(handler, batch))) return false;
    }
    return true;
  }

  private hold(key: string, batch: KafkaBatch): void {
    const before = this.held.get(key);
    // One batch accounting for both ranges: the earlier fetchOffset, the later nextOffset.
    this.held.set(key, before ? { ...batch, fetchOffset: before.fetchOffset!, messages: [...before.messages, ...batch.messages] } : batch);
  }

  /** One Fetch per leader for the partitions to read; waits for a resume or a new assignment when there are none. */
  private async fetchRound(): Promise<KafkaBatch[]> {
    const wanted = [...this.positions.entries()].filter(([key]) => !this.pausedPartitions.has(key) && !this.held.has(key)).map(([, p]) => p);
    if (wanted.length === 0) {
      await this.sleep();
      return [];
    }
    const topics = [...new Set(wanted.map((p) => p.topic))];
    const metadata = await this.consumer.metadata({ topics });
    const byLeader = new Map<number, Position[]>();
    for (const p of wanted) {
      const leader = metadata.topics.get(p.topic)?.partitions[p.partition]?.leader;
      if (leader === undefined || leader < 0) throw new KafkaClientError(`no leader for ${p.topic}/${p.partition}`, { retriable: true, code: 'LEADER_NOT_AVAILABLE' });
      const list = byLeader.get(leader) ?? [];
      list.push(p);
      byLeader.set(leader, list);
    }
    // Positions move only once every broker answered: when one request fails the round is fetched
    // again, and what the others returned must be fetched again with it, not skipped.
    const rounds = await Promise.all([...byLeader].map(([node, ps]) => this.fetchFrom(metadata, node, ps)));
    for (const { moves } of rounds) {
      for (const [position, offset] of moves) {
        position.offset = offset;
        position.fetchOffset = offset;
      }
    }
    return rounds.flatMap((r) => r.batches);
  }

  /** One broker's part of a round: its batches, and where each partition it answered for goes on (applied by the caller). */
  private async fetchFrom(metadata: ClusterMetadata, node: number, partitions: Position[]): Promise<{ batches: KafkaBatch[]; moves: Array<[Position, bigint]> }> {
    const byTopicId = new Map<string, { topic: string; parts: Position[] }>();
    for (const p of partitions) {
      const id = metadata.topics.get(p.topic)!.id;
      const entry = byTopicId.get(id) ?? { topic: p.topic, parts: [] };
      entry.parts.push(p);
      byTopicId.set(id, entry);
    }
    const requested = new Map(partitions.map((p) => [tpKey(p.topic, p.partition), p.offset]));
    let response: FetchResponse;
    try {
      response = await this.consumer.fetch({
        node,
        connectionPool: this.pool,
        maxWaitTime: this.maxWaitTimeMs,
        minBytes: 1,
        maxBytes: Math.max(this.maxBytesPerPartition, 52_428_800),
        isolationLevel: this.isolationLevel,
        topics: [...byTopicId].map(([topicId, { parts }]) => ({
          topicId,
          partitions: parts.map((p) => ({ partition: p.partition, fetchOffset: p.offset, partitionMaxBytes: this.maxBytesPerPartition, currentLeaderEpoch: -1, lastFetchedEpoch: -1 })),
        })),
      });
    } catch (error) {
      if (brokerErrorName(error) === 'OFFSET_OUT_OF_RANGE' && (await this.resetOutOfRange(error, byTopicId))) return { batches: [], moves: [] };
      throw error;
    }
    const out: KafkaBatch[] = [];
    const moves: Array<[Position, bigint]> = [];
    for (const t of response.responses) {
      const topic = byTopicId.get(t.topicId)?.topic;
      if (topic === undefined) continue;
      for (const part of t.partitions) {
        const key = tpKey(topic, part.partitionIndex);
        const from = requested.get(key);
        const position = this.positions.get(key);
        // Partitions that linger in an incremental fetch session without being asked for carry stale data.
        if (from === undefined || position === undefined || position.offset !== from || !part.records) continue;
        const messages: KafkaMessage[] = [];
        const { batches, nextOffset } = committedBatches(part.records, part.abortedTransactions, from);
        for (const b of batches) batchMessages(topic, part.partitionIndex, b, from, messages);
        if (nextOffset === from) continue;
        moves.push([position, nextOffset]);
        // Without messages (only markers or aborted records) it still says how far the partition got (onSkipped).
        out.push({
          topic,
          partition: part.partitionIndex,
          messages,
          highWatermark: part.highWatermark.toString(),
          fetchOffset: position.fetchOffset.toString(),
          nextOffset: nextOffset.toString(),
        });
      }
    }
    return { batches: out, moves };
  }

  /** Moves partitions whose offset is out of range to their earliest offset; true if any moved. */
  private async resetOutOfRange(error: unknown, byTopicId: Map<string, { topic: string; parts: Position[] }>): Promise<boolean> {
    const response = (error as { response?: FetchResponse }).response;
    const failed: Position[] = [];
    for (const t of response?.responses ?? []) {
      const entry = byTopicId.get(t.topicId);
      for (const part of t.partitions) {
        const p = entry?.parts.find((x) => x.partition === part.partitionIndex);
        if (p && part.errorCode !== 0) failed.push(p);
      }
    }
    if (failed.length === 0) return false;
    const low = await this.offsetsAt([...new Set(failed.map((p) => p.topic))], ListOffsetTimestamps.EARLIEST);
    for (const p of failed) {
      p.offset = low.get(p.topic)?.[p.partition] ?? p.offset;
      if (p.offset < p.fetchOffset) p.fetchOffset = p.offset; // moved back: what comes next accounts from there
    }
    return true;
  }

  /** Subscribe mode: starts reading newly assigned partitions (committed offset, else earliest/latest) and drops revoked ones. */
  private async adoptAssignment(): Promise<void> {
    const assigned = new Map<string, KafkaTopicPartition>();
    for (const a of this.consumer.assignments ?? []) for (const partition of a.partitions) assigned.set(tpKey(a.topic, partition), { topic: a.topic, partition });
    for (const key of [...this.positions.keys()]) {
      if (!assigned.has(key)) {
        this.positions.delete(key);
        this.held.delete(key);
      }
    }
    const added = [...assigned].filter(([key]) => !this.positions.has(key)).map(([, tp]) => tp);
    if (added.length === 0) return;
    const topics = [...new Set(added.map((p) => p.topic))];
    const committed = await this.consumer.listCommittedOffsets({
      topics: topics.map((topic) => ({ topic, partitions: added.filter((p) => p.topic === topic).map((p) => p.partition) })),
    });
    const fallback = await this.offsetsAt(topics, this.subscription?.fromBeginning ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST);
    for (const p of added) {
      const c = committed.get(p.topic)?.[p.partition];
      const offset = c !== undefined && c >= 0n ? c : fallback.get(p.topic)?.[p.partition];
      if (offset === undefined) throw new KafkaClientError(`no start offset for ${p.topic}/${p.partition}`, { retriable: true });
      this.positions.set(tpKey(p.topic, p.partition), { ...p, offset, fetchOffset: offset });
    }
  }

  /** Per topic, the offsets at `timestamp` (EARLIEST / LATEST / a time), indexed by partition. */
  private offsetsAt(topics: string[], timestamp: bigint): Promise<Map<string, bigint[]>> {
    return mapped(this.ctx, 'listOffsets', () => this.consumer.listOffsets({ topics, timestamp, isolationLevel: this.isolationLevel }));
  }

  private fail(error: unknown): void {
    if (this.state === 'running') this.state = 'stopped';
    this.wake();
    if (this.reported || this.state === 'disconnected') return;
    this.reported = true;
    const cb = this.onError;
    this.onError = undefined;
    try {
      cb?.(error);
    } catch {
      // a throwing onError must not break the loop
    }
  }

  private requireState(op: string, allowed: ConsumerState[]): void {
    if (!allowed.includes(this.state)) throw new KafkaClientError(`${op}() not allowed in consumer state "${this.state}"`, { retriable: false });
  }
}

