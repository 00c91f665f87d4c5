/**
 * Version negotiation for the wire producer: ApiVersions (v2, the newest classic encoding) tells
 * which versions of each API the broker supports, and {@link negotiateVersions} picks, for each API
 * the producer speaks, the highest version both sides support ({@link WIRE_APIS} lists ours).
 *
 * A broker lacking a required API (or every version of it we speak) fails clearly with a
 * {@link KafkaClientError} of code `UNSUPPORTED_VERSION` that names the API and both ranges; an
 * optional API (the transaction ones) is left out and fails the same way only when used.
 *
 * @example
 * ```ts
 * const versions = negotiateVersions(await fetchApiVersions(connection), WIRE_APIS, '127.0.0.1:19092');
 * versions.get(API_PRODUCE); // 8 on Kafka 2.4 and later
 * ```
 */
import { KafkaClientError } from '../client.js';
import type { ByteReader } from './byte-reader.js';

export const API_API_VERSIONS = 18;
export const API_SASL_HANDSHAKE = 17;
export const API_SASL_AUTHENTICATE = 36;

/** One API as the broker or this client supports it. */
export interface ApiVersionRange {
  readonly apiKey: number;
  readonly min: number;
  readonly max: number;
}

/** An API this client speaks, in versions `min..max`. */
export interface WireApi extends ApiVersionRange {
  readonly name: string;
  /** False: the broker may lack it (used only by transactional producers, or only with SASL). */
  readonly required: boolean;
}

/**
 * The APIs of the wire producer and the versions whose encoding it implements (all classic,
 * non-flexible): Produce v3-v8, Metadata v4-v8, InitProducerId v0-v1, the transaction APIs, and
 * SaslHandshake v1, SaslAuthenticate v0-v1.
 */
export const WIRE_APIS: readonly WireApi[] = [
  { apiKey: 0, name: 'Produce', min: 3, max: 8, required: true },
  { apiKey: 3, name: 'Metadata', min: 4, max: 8, required: true },
  { apiKey: 22, name: 'InitProducerId', min: 0, max: 1, required: true },
  { apiKey: 10, name: 'FindCoordinator', min: 1, max: 2, required: false },
  { apiKey: 24, name: 'AddPartitionsToTxn', min: 0, max: 1, required: false },
  { apiKey: 25, name: 'AddOffsetsToTxn', min: 0, max: 1, required: false },
  { apiKey: 26, name: 'EndTxn', min: 0, max: 1, required: false },
  { apiKey: 28, name: 'TxnOffsetCommit', min: 0, max: 2, required: false },
  { apiKey: API_SASL_HANDSHAKE, name: 'SaslHandshake', min: 1, max: 1, required: false },
  { apiKey: API_SASL_AUTHENTICATE, name: 'SaslAuthenticate', min: 0, max: 1, required: false },
];

/** The name of API `apiKey` as {@link WIRE_APIS} knows it, else `API <key>`. */
export function apiName(apiKey: number): string {
  return WIRE_APIS.find((a) => a.apiKey === apiKey)?.name ?? `API ${apiKey}`;
}

/**
 * Reads an ApiVersions response (v0-v2; a broker that does not support the version asked for answers
 * in v0 with UNSUPPORTED_VERSION and its ranges, which are used as well).
 * @throws KafkaClientError on any other error code.
 */
export function readApiVersions(r: ByteReader, address: string): ApiVersionRange[] {
  const errorCode = r.int16();
  const ranges = r.array((r) => ({ apiKey: r.int16(), min: r.int16(), max: r.int16() }));
  if (errorCode !== 0 && !(errorCode === 35 && ranges.length > 0)) {
    throw new KafkaClientError(`Kafka broker ${address}: ApiVersions failed with error code ${errorCode}`, { retriable: false, code: 'UNSUPPORTED_VERSION' });
  }
  return ranges;
}

/**
 * The highest version of each API in `ours` that the broker's `theirs` supports too.
 * @throws KafkaClientError (code `UNSUPPORTED_VERSION`, not retriable) if a required API has no common version.
 */
export function negotiateVersions(theirs: readonly ApiVersionRange[], ours: readonly WireApi[], address: string): Map<number, number> {
  const broker = new Map(theirs.map((r) => [r.apiKey, r]));
  const out = new Map<number, number>();
  for (const api of ours) {
    const b = broker.get(api.apiKey);
    const high = b ? Math.min(b.max, api.max) : -1;
    if (b && high >= Math.max(b.min, api.min)) {
      out.set(api.apiKey, high);
    } else if (api.required) {
      const has = b ? `supports v${b.min}-v${b.max}` : 'does not support it';
      throw new KafkaClientError(`Kafka broker ${address} cannot serve the wire producer: it ${has} of ${api.name} (key ${api.apiKey}), the producer speaks v${api.min}-v${api.max}`, {
        retriable: false,
        code: 'UNSUPPORTED_VERSION',
      });
    }
  }
  return out;
}
