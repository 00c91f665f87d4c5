/**
 * How a Kafka client reaches a secured cluster: TLS ({@link KafkaSslOptions}) and SASL
 * ({@link KafkaSaslOptions}), as KafkaIO's connection options take them, and their resolution into
 * what the libraries take ({@link resolveKafkaSsl}).
 *
 * PEM values (`ca`, `cert`, `key`) are either the PEM text itself (a string starting with
 * `-----BEGIN`, or a Buffer) or the path of a PEM file, read once when the client factory is made.
 *
 * @example
 * ```ts
 * const kafka = createKafkaClientFactory({
 *   brokers: 'kafka-1:9093',
 *   ssl: { ca: '/etc/kafka/ca.pem' },
 *   sasl: { mechanism: 'scram-sha-512', username: 'alice', password: process.env.KAFKA_SASL_PASSWORD! },
 * });
 * ```
 */
import { readFileSync } from 'node:fs';

/** PEM text (`'-----BEGIN CERTIFICATE-----...'` or a Buffer) or the path of a PEM file. */
export type KafkaPemSource = string | Buffer;

/** TLS to the brokers. `ssl: true` (or `{}`) uses TLS with the system's trusted CAs. */
export interface KafkaSslOptions {
  /** CA certificate(s) to trust instead of the system's (PEM or path). */
  readonly ca?: KafkaPemSource;
  /** Client certificate for mutual TLS (PEM or path), with `key`. */
  readonly cert?: KafkaPemSource;
  /** Private key of `cert` (PEM or path). */
  readonly key?: KafkaPemSource;
  /** Verify the broker's certificate and host name. Default true; false only for tests. */
  readonly rejectUnauthorized?: boolean;
}

/** The SASL mechanisms every client of this package supports. */
export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export const KAFKA_SASL_MECHANISMS: readonly KafkaSaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

/** SASL authentication (over TLS, i.e. SASL_SSL, or plain SASL_PLAINTEXT when `ssl` is unset). */
export interface KafkaSaslOptions {
  readonly mechanism: KafkaSaslMechanism;
  readonly username: string;
  readonly password: string;
}

/** The security settings every client factory takes. */
export interface KafkaSecurityOptions {
  readonly ssl?: KafkaSslOptions | boolean;
  readonly sasl?: KafkaSaslOptions;
}

/** TLS settings resolved to PEM contents, in the shape of `node:tls` `connect` options. */
export interface ResolvedKafkaSsl {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized: boolean;
}

/** PEM contents of `source`: the text itself, or the file it names. @throws Error naming the option if the file cannot be read. */
export function readPem(source: KafkaPemSource, option: string): Buffer {
  if (Buffer.isBuffer(source)) return source;
  if (source.trimStart().startsWith('-----BEGIN')) return Buffer.from(source, 'utf8');
  try {
    return readFileSync(source);
  } catch (e) {
    throw new Error(`Kafka ssl.${option}: cannot read PEM file ${source}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** `ssl` with PEM files read; undefined when TLS is off. @throws Error if a PEM file cannot be read, or `cert` comes without `key`. */
export function resolveKafkaSsl(ssl: KafkaSslOptions | boolean | undefined): ResolvedKafkaSsl | undefined {
  if (ssl === undefined || ssl === false) return undefined;
  const o: KafkaSslOptions = ssl === true ? {} : ssl;
  if ((o.cert === undefined) !== (o.key === undefined)) throw new Error('Kafka ssl: cert and key go together (mutual TLS needs both)');
  return {
    ...(o.ca !== undefined ? { ca: readPem(o.ca, 'ca') } : {}),
    ...(o.cert !== undefined ? { cert: readPem(o.cert, 'cert') } : {}),
    ...(o.key !== undefined ? { key: readPem(o.key, 'key') } : {}),
    rejectUnauthorized: o.rejectUnauthorized ?? true,
  };
}

/** @throws Error if `sasl` is malformed (unknown mechanism, empty username). */
export function checkKafkaSasl(sasl: KafkaSaslOptions | undefined): KafkaSaslOptions | undefined {
  if (sasl === undefined) return undefined;
  if (!KAFKA_SASL_MECHANISMS.includes(sasl.mechanism)) throw new Error(`Kafka sasl.mechanism '${String(sasl.mechanism)}': use ${KAFKA_SASL_MECHANISMS.join(', ')}`);
  if (typeof sasl.username !== 'string' || sasl.username === '') throw new Error('Kafka sasl.username must not be empty');
  if (typeof sasl.password !== 'string') throw new Error('Kafka sasl.password must be a string');
  return sasl;
}
