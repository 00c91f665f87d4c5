/**
 * The Kafka APIs of transactions, for the wire producer, in the version negotiated with the broker
 * (./api-versions.ts) among those with the classic (non-flexible) encoding: FindCoordinator v1-v2,
 * AddPartitionsToTxn v0-v1, AddOffsetsToTxn v0-v1, TxnOffsetCommit v0-v2 and EndTxn v0-v1
 * (InitProducerId with a transactional id is in apis.ts). Brokers from Kafka 2.1 on get the newest.
 *
 * Each function sends one request and returns the broker's error codes as numbers; what to retry
 * is the caller's decision (see the transaction methods of wire-producer.ts).
 */
import type { BrokerConnection } from './broker-connection.js';
import type { BrokerInfo } from './apis.js';

export const API_FIND_COORDINATOR = 10;
export const API_ADD_PARTITIONS_TO_TXN = 24;
export const API_ADD_OFFSETS_TO_TXN = 25;
export const API_END_TXN = 26;
export const API_TXN_OFFSET_COMMIT = 28;

/** Which coordinator FindCoordinator looks for. */
export const COORDINATOR_GROUP = 0;
export const COORDINATOR_TRANSACTION = 1;

/** The producer a transactional request speaks for. */
export interface TxnProducer {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export interface CoordinatorAnswer {
  errorCode: number;
  errorMessage: string | null;
  node: BrokerInfo;
}

/** FindCoordinator v2: the broker coordinating group `key` (keyType 0) or transactional id `key` (keyType 1). */
export async function findCoordinator(c: BrokerConnection, key: string, keyType: number): Promise<CoordinatorAnswer> {
  const r = await c.request(API_FIND_COORDINATOR, c.version(API_FIND_COORDINATOR), (w) => {
    w.string(key).int8(keyType);
  });
  r.int32(); // throttle_time_ms
  const errorCode = r.int16();
  const errorMessage = r.string();
  const nodeId = r.int32();
  const host = r.string() ?? '';
  const port = r.int32();
  return { errorCode, errorMessage, node: { nodeId, host, port } };
}

/** One partition's outcome. */
export interface PartitionError {
  topic: string;
  partition: number;
  errorCode: number;
}

/** AddPartitionsToTxn v1: makes the partitions part of the ongoing transaction (before producing to them). */
export async function addPartitionsToTxn(c: BrokerConnection, p: TxnProducer, topics: ReadonlyMap<string, readonly number[]>): Promise<PartitionError[]> {
  const r = await c.request(API_ADD_PARTITIONS_TO_TXN, c.version(API_ADD_PARTITIONS_TO_TXN), (w) => {
    w.string(p.transactionalId).int64(p.producerId).int16(p.producerEpoch);
    w.array([...topics], (w, [topic, partitions]) => {
      w.string(topic).array(partitions, (w, n) => w.int32(n));
    });
  });
  r.int32(); // throttle_time_ms
  return readPartitionErrors(r);
}

/** AddOffsetsToTxn v1: makes group `groupId`'s offsets part of the ongoing transaction. Returns the error code. */
export async function addOffsetsToTxn(c: BrokerConnection, p: TxnProducer, groupId: string): Promise<number> {
  const r = await c.request(API_ADD_OFFSETS_TO_TXN, c.version(API_ADD_OFFSETS_TO_TXN), (w) => {
    w.string(p.transactionalId).int64(p.producerId).int16(p.producerEpoch).string(groupId);
  });
  r.int32(); // throttle_time_ms
  return r.int16();
}

/** A consumer position to commit: the offset of the next record to read. */
export interface TxnOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/** TxnOffsetCommit v2 (to the group's coordinator): the offsets become visible when the transaction commits. */
export async function txnOffsetCommit(c: BrokerConnection, p: TxnProducer, groupId: string, offsets: readonly TxnOffset[]): Promise<PartitionError[]> {
  const byTopic = new Map<string, TxnOffset[]>();
  for (const o of offsets) {
    let list = byTopic.get(o.topic);
    if (!list) byTopic.set(o.topic, (list = []));
    list.push(o);
  }
  const v = c.version(API_TXN_OFFSET_COMMIT);
  const r = await c.request(API_TXN_OFFSET_COMMIT, v, (w) => {
    w.string(p.transactionalId).string(groupId).int64(p.producerId).int16(p.producerEpoch);
    w.array([...byTopic], (w, [topic, list]) => {
      w.string(topic).array(list, (w, o) => {
        w.int32(o.partition).int64(o.offset);
        if (v >= 2) w.int32(-1); // leader epoch unknown
        w.string(null); // no metadata
      });
    });
  });
  r.int32(); // throttle_time_ms
  return readPartitionErrors(r);
}

/** EndTxn v1: commits (`commit`) or aborts the ongoing transaction. Returns the error code. */
export async function endTxn(c: BrokerConnection, p: TxnProducer, commit: boolean): Promise<number> {
  const r = await c.request(API_END_TXN, c.version(API_END_TXN), (w) => {
    w.string(p.transactionalId).int64(p.producerId).int16(p.producerEpoch).bool(commit);
  });
  r.int32(); // throttle_time_ms
  return r.int16();
}

function readPartitionErrors(r: Awaited<ReturnType<BrokerConnection['request']>>): PartitionError[] {
  const out: PartitionError[] = [];
  const topics = r.int32();
  for (let t = 0; t < topics; t++) {
    const topic = r.string() ?? '';
    const n = r.int32();
    for (let i = 0; i < n; i++) {
      const partition = r.int32();
      const errorCode = r.int16();
      out.push({ topic, partition, errorCode });
    }
  }
  return out;
}
