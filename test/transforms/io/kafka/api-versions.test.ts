/**
 * Version negotiation of the wire producer (transforms/io/kafka/wire/api-versions.ts): the highest
 * version both sides support, per API; a clear failure when a broker lacks a required one.
 */
import { describe, expect, it } from 'vitest';
import { KafkaClientError } from '../../../../transforms/io/kafka/client.js';
import { negotiateVersions, readApiVersions, WIRE_APIS, type ApiVersionRange } from '../../../../transforms/io/kafka/wire/api-versions.js';
import { ByteReader } from '../../../../transforms/io/kafka/wire/byte-reader.js';
import { ByteWriter } from '../../../../transforms/io/kafka/wire/byte-writer.js';

const PRODUCE = 0;
const METADATA = 3;
const INIT_PRODUCER_ID = 22;
const TXN_OFFSET_COMMIT = 28;

/** What a Kafka 3.9 broker answers for the APIs the producer uses (abridged). */
const KAFKA_3_9: ApiVersionRange[] = [
  { apiKey: PRODUCE, min: 0, max: 11 },
  { apiKey: METADATA, min: 0, max: 12 },
  { apiKey: INIT_PRODUCER_ID, min: 0, max: 5 },
  { apiKey: 10, min: 0, max: 6 },
  { apiKey: 24, min: 0, max: 5 },
  { apiKey: 25, min: 0, max: 4 },
  { apiKey: 26, min: 0, max: 4 },
  { apiKey: TXN_OFFSET_COMMIT, min: 0, max: 4 },
  { apiKey: 17, min: 0, max: 1 },
  { apiKey: 36, min: 0, max: 2 },
];

describe('ApiVersions negotiation', () => {
  it('picks the highest version both support: ours where the broker goes higher, theirs where it stops lower', () => {
    const v = negotiateVersions(KAFKA_3_9, WIRE_APIS, 'b:1');
    expect(v.get(PRODUCE)).toBe(8);
    expect(v.get(METADATA)).toBe(8);
    expect(v.get(INIT_PRODUCER_ID)).toBe(1);
    expect(v.get(36)).toBe(1);
    const old = negotiateVersions(
      KAFKA_3_9.map((r) => (r.apiKey === PRODUCE ? { ...r, max: 5 } : r.apiKey === METADATA ? { ...r, max: 4 } : r.apiKey === TXN_OFFSET_COMMIT ? { ...r, max: 1 } : r)),
      WIRE_APIS,
      'b:1',
    );
    expect(old.get(PRODUCE)).toBe(5);
    expect(old.get(METADATA)).toBe(4);
    expect(old.get(TXN_OFFSET_COMMIT)).toBe(1);
  });

  it('fails clearly, naming the API and both ranges, when a required API has no common version', () => {
    // A broker that dropped the classic Produce versions (as if only v9+ were left).
    const newOnly = KAFKA_3_9.map((r) => (r.apiKey === PRODUCE ? { ...r, min: 9 } : r));
    const error = (() => {
      try {
        negotiateVersions(newOnly, WIRE_APIS, 'b:1');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(KafkaClientError);
    expect((error as KafkaClientError).code).toBe('UNSUPPORTED_VERSION');
    expect((error as KafkaClientError).retriable).toBe(false);
    expect((error as Error).message).toMatch(/b:1 .*supports v9-v11 of Produce \(key 0\), the producer speaks v3-v8/);
    expect(() => negotiateVersions(KAFKA_3_9.filter((r) => r.apiKey !== INIT_PRODUCER_ID), WIRE_APIS, 'b:1')).toThrow(/does not support it of InitProducerId/);
  });

  it('leaves out an optional API the broker lacks (transactions, SASL), without failing', () => {
    const v = negotiateVersions(KAFKA_3_9.filter((r) => r.apiKey !== TXN_OFFSET_COMMIT && r.apiKey !== 36), WIRE_APIS, 'b:1');
    expect(v.has(TXN_OFFSET_COMMIT)).toBe(false);
    expect(v.has(36)).toBe(false);
    expect(v.get(PRODUCE)).toBe(8);
  });

  it('reads an ApiVersions response, also a v0 UNSUPPORTED_VERSION answer with the ranges; other errors throw', () => {
    const response = (errorCode: number, ranges: ApiVersionRange[]): ByteReader => {
      const w = new ByteWriter();
      w.int16(errorCode).array(ranges, (w, r) => w.int16(r.apiKey).int16(r.min).int16(r.max));
      w.int32(0);
      return new ByteReader(w.finish());
    };
    expect(readApiVersions(response(0, KAFKA_3_9), 'b:1')).toEqual(KAFKA_3_9);
    expect(readApiVersions(response(35, KAFKA_3_9), 'b:1')).toEqual(KAFKA_3_9);
    expect(() => readApiVersions(response(35, []), 'b:1')).toThrow(KafkaClientError);
  });
});
