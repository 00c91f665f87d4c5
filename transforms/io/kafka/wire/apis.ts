/**
 * The three Kafka APIs the wire producer speaks, in the versions negotiated with the broker
 * (./api-versions.ts; all classic, non-flexible encodings): Metadata v4-v8, InitProducerId v0-v1
 * and Produce v3-v8. Brokers since Kafka 2.4, including 4.x, get Metadata v8 and Produce v8.
 */
import type { ByteReader } from './byte-reader.js';
import type { BrokerConnection } from './broker-connection.js';

export const API_PRODUCE = 0;
export const API_METADATA = 3;
export const API_INIT_PRODUCER_ID = 22;

/** A broker of the cluster, from Metadata. */
export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
}

/** One partition of a topic, from Metadata. */
export interface PartitionInfo {
  partition: number;
  errorCode: number;
  leader: number;
}

/** One topic, from Metadata. */
export interface TopicInfo {
  name: string;
  errorCode: number;
  partitions: PartitionInfo[];
}

export interface MetadataResponse {
  brokers: BrokerInfo[];
  /** The cluster's id (null when the broker reports none). */
  clusterId: string | null;
  topics: TopicInfo[];
}

/** Metadata (v4-v8) for `topics` (partitions sorted by index). */
export async function fetchMetadata(c: BrokerConnection, topics: readonly string[], allowAutoTopicCreation: boolean): Promise<MetadataResponse> {
  const v = c.version(API_METADATA);
  const r = await c.request(API_METADATA, v, (w) => {
    w.array(topics, (w, t) => w.string(t));
    w.bool(allowAutoTopicCreation);
    if (v >= 8) w.bool(false).bool(false);
  });
  r.int32(); // throttle_time_ms
  const brokers = r.array((r) => {
    const nodeId = r.int32();
    const host = r.string() ?? '';
    const port = r.int32();
    r.string(); // rack
    return { nodeId, host, port };
  });
  const clusterId = r.string();
  r.int32(); // controller_id
  const topicInfos = r.array((r) => {
    const errorCode = r.int16();
    const name = r.string() ?? '';
    r.bool(); // is_internal
    const partitions = r.array((r) => {
      const pErr = r.int16();
      const partition = r.int32();
      const leader = r.int32();
      if (v >= 7) r.int32(); // leader_epoch
      skipInt32Array(r); // replicas
      skipInt32Array(r); // isr
      if (v >= 5) skipInt32Array(r); // offline replicas
      return { partition, errorCode: pErr, leader };
    });
    if (v >= 8) r.int32(); // topic_authorized_operations
    partitions.sort((a, b) => a.partition - b.partition);
    return { name, errorCode, partitions };
  });
  return { brokers, clusterId, topics: topicInfos };
}

function skipInt32Array(r: ByteReader): void {
  const n = r.int32();
  for (let i = 0; i < n; i++) r.int32();
}

export interface ProducerIdentity {
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

/**
 * InitProducerId (v0-v1, the same encoding): for an idempotent producer (`transactionalId` null), or for a transactional one,
 * which it fences any earlier producer with the same id (send it to the transaction coordinator).
 */
export async function initProducerId(c: BrokerConnection, transactionalId: string | null = null, transactionTimeoutMs = 60_000): Promise<ProducerIdentity> {
  const r = await c.request(API_INIT_PRODUCER_ID, c.version(API_INIT_PRODUCER_ID), (w) => {
    w.string(transactionalId).int32(transactionTimeoutMs);
  });
  r.int32(); // throttle_time_ms
  const errorCode = r.int16();
  const producerId = r.int64();
  const producerEpoch = r.int16();
  return { errorCode, producerId, producerEpoch };
}

/** One encoded record batch for one partition. */
export interface PartitionBatch {
  partition: number;
  /** A complete RecordBatch (magic 2), see record-batch.ts. */
  records: Buffer;
}

/** The outcome for one partition of a Produce request. */
export interface ProducePartitionResult {
  partition: number;
  errorCode: number;
  baseOffset: bigint;
  errorMessage: string | null;
}

/** Produce (v3-v8, the same request encoding) with acks=all of the given batches of `topic` (transactional batches name their transactional id); resolves with the per-partition results. */
export async function produce(c: BrokerConnection, topic: string, batches: readonly PartitionBatch[], timeoutMs: number, transactionalId: string | null = null): Promise<ProducePartitionResult[]> {
  let size = 64 + topic.length + (transactionalId?.length ?? 0) * 3;
  for (const b of batches) size += b.records.length + 8;
  const v = c.version(API_PRODUCE);
  const r = await c.request(
    API_PRODUCE,
    v,
    (w) => {
      w.string(transactionalId).int16(-1).int32(timeoutMs);
      w.int32(1).string(topic);
      w.array(batches, (w, b) => {
        w.int32(b.partition).bytes(b.records);
      });
    },
    size,
  );
  const results: ProducePartitionResult[] = [];
  const topicCount = r.int32();
  for (let t = 0; t < topicCount; t++) {
    r.string(); // topic name
    const n = r.int32();
    for (let i = 0; i < n; i++) {
      const partition = r.int32();
      const errorCode = r.int16();
      const baseOffset = r.int64();
      r.int64(); // log_append_time_ms
      if (v >= 5) r.int64(); // log_start_offset
      const recordErrors = v >= 8 ? r.array((r) => `record ${r.int32()}: ${r.string() ?? ''}`) : [];
      const message = v >= 8 ? r.string() : null;
      results.push({ partition, errorCode, baseOffset, errorMessage: message ?? (recordErrors.length > 0 ? recordErrors.join('; ') : null) });
    }
  }
  r.int32(); // throttle_time_ms
  return results;
}
