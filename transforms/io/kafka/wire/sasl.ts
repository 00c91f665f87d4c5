/**
 * SASL authentication of one wire connection: SaslHandshake v1 (choose the mechanism), then
 * SaslAuthenticate (v0 or v1, as negotiated) carrying PLAIN's single message or SCRAM's two round
 * trips (./scram.ts). Runs right after ApiVersions, before any other request.
 *
 * Failures: wrong credentials, a mechanism the listener does not enable, or a SCRAM server that
 * cannot prove it knows the password reject with {@link KafkaAuthenticationError} (not retriable:
 * trying again with the same credentials cannot help, so callers must not retry it).
 *
 * @example
 * ```ts
 * await authenticate(connection, { mechanism: 'scram-sha-512', username: 'alice', password: 'secret' });
 * ```
 */
import { KafkaAuthenticationError } from '../client.js';
import type { KafkaSaslOptions } from '../security.js';
import { API_SASL_AUTHENTICATE, API_SASL_HANDSHAKE } from './api-versions.js';
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { ScramClient, ScramError } from './scram.js';

/** What authentication needs of a connection: its address, negotiated versions and a request function. */
export interface SaslChannel {
  readonly address: string;
  version(apiKey: number): number;
  request(apiKey: number, apiVersion: number, writeBody: (w: ByteWriter) => void): Promise<ByteReader>;
}

const ERROR_UNSUPPORTED_SASL_MECHANISM = 33;
const ERROR_ILLEGAL_SASL_STATE = 34;
const ERROR_SASL_AUTHENTICATION_FAILED = 58;

/** Authenticates `c` with `sasl`. @throws KafkaAuthenticationError when the broker refuses. */
export async function authenticate(c: SaslChannel, sasl: KafkaSaslOptions): Promise<void> {
  const mechanism = sasl.mechanism.toUpperCase();
  const hs = await c.request(API_SASL_HANDSHAKE, c.version(API_SASL_HANDSHAKE), (w) => {
    w.string(mechanism);
  });
  const hsError = hs.int16();
  const enabled = hs.array((r) => r.string() ?? '');
  if (hsError === ERROR_UNSUPPORTED_SASL_MECHANISM) {
    throw new KafkaAuthenticationError(`Kafka authentication failed at ${c.address}: SASL mechanism ${mechanism} is not enabled on this listener (enabled: ${enabled.join(', ') || 'none'})`, {
      code: 'UNSUPPORTED_SASL_MECHANISM',
    });
  }
  if (hsError !== 0) throw new KafkaAuthenticationError(`Kafka authentication failed at ${c.address}: SaslHandshake error code ${hsError}`, { code: 'ILLEGAL_SASL_STATE' });

  const step = async (bytes: Buffer): Promise<Buffer> => {
    const version = c.version(API_SASL_AUTHENTICATE);
    const r = await c.request(API_SASL_AUTHENTICATE, version, (w) => {
      w.bytes(bytes);
    });
    const errorCode = r.int16();
    const errorMessage = r.string();
    const answer = r.bytes() ?? Buffer.alloc(0);
    if (errorCode !== 0) {
      const code = errorCode === ERROR_SASL_AUTHENTICATION_FAILED ? 'SASL_AUTHENTICATION_FAILED' : errorCode === ERROR_ILLEGAL_SASL_STATE ? 'ILLEGAL_SASL_STATE' : `ERROR_${errorCode}`;
      throw new KafkaAuthenticationError(`Kafka authentication failed at ${c.address} (${mechanism}, user ${sasl.username}): ${errorMessage ?? code}`, { code });
    }
    return answer;
  };

  if (sasl.mechanism === 'plain') {
    await step(Buffer.from(`\u0000${sasl.username}\u0000${sasl.password}`, 'utf8'));
    return;
  }
  const scram = new ScramClient(sasl.mechanism === 'scram-sha-256' ? 'sha256' : 'sha512', sasl.username, sasl.password);
  try {
    const serverFirst = (await step(Buffer.from(scram.first(), 'utf8'))).toString('utf8');
    const serverFinal = (await step(Buffer.from(scram.final(serverFirst), 'utf8'))).toString('utf8');
    scram.verify(serverFinal);
  } catch (e) {
    if (e instanceof ScramError) throw new KafkaAuthenticationError(`Kafka authentication failed at ${c.address} (${mechanism}): ${e.message}`, { code: 'SASL_AUTHENTICATION_FAILED', cause: e });
    throw e;
  }
}
