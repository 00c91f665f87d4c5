import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { compressFrame, decompressFrame } from 'lz4-napi';
import type { KafkaCompressionName } from '../client.js';

/**
 * Record batch compression codecs. `lz4` (the LZ4 frame format Kafka expects, via lz4-napi)
 * and `gzip` (Node's zlib) run on libuv's thread pool, off the event loop.
 */
export type KafkaCompression = KafkaCompressionName;

export const KAFKA_COMPRESSIONS: readonly KafkaCompression[] = ['none', 'gzip', 'lz4'];

const gzip = promisify(zlib.gzip);

/** The codec id in a RecordBatch's attributes. */
export function compressionAttribute(c: KafkaCompression): number {
  return c === 'none' ? 0 : c === 'gzip' ? 1 : 3;
}

/** Compresses a batch's records section. */
export function compress(c: KafkaCompression, data: Buffer): Promise<Buffer> {
  switch (c) {
    case 'none':
      return Promise.resolve(data);
    case 'gzip':
      return gzip(data, { level: 1 });
    case 'lz4':
      return compressFrame(data);
  }
}

const gunzip = promisify(zlib.gunzip);

/** Decompresses a records section written with `c` (used by the kafkajs consumer's codec table and tests). */
export function decompress(c: KafkaCompression, data: Buffer): Promise<Buffer> {
  switch (c) {
    case 'none':
      return Promise.resolve(data);
    case 'gzip':
      return gunzip(data);
    case 'lz4':
      return decompressFrame(data);
  }
}
