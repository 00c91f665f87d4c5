/**
 * What every @platformatic/kafka client of one factory shares: the brokers, the library's base
 * options (client id, timeouts, bounded retries) and the connect deadline.
 *
 * @example
 * ```ts
 * const ctx = platformaticContext({ brokers: '127.0.0.1:19092' });
 * const admin = new Admin(ctx.base);
 * ```
 */
import type { BaseOptions, SASLMechanismValue } from '@platformatic/kafka';
import { parseKafkaBrokers } from '../client.js';
import { checkKafkaSasl, resolveKafkaSsl, type KafkaSaslOptions, type KafkaSslOptions } from '../security.js';
import { mapPlatformaticError } from './errors.js';

/** Options of {@link createPlatformaticClientFactory}. */
export interface PlatformaticClientOptions {
  /** `'127.0.0.1:19092'`, `'a:1,b:2'` or an array of `host:port`. */
  readonly brokers: string | readonly string[];
  /** Default `'watershed'`. */
  readonly clientId?: string;
  /** TCP connect timeout per attempt. Default 2000 ms. */
  readonly connectionTimeoutMs?: number;
  /** How long a request may wait for its answer. Default 30000 ms. */
  readonly requestTimeoutMs?: number;
  /** Hard upper bound for any `connect()`; after it, KafkaUnavailableError. Default 8000 ms. */
  readonly connectDeadlineMs?: number;
  /** Retries of a failed request (250 ms apart). Default 3; the producer keeps at least 5. */
  readonly retries?: number;
  /** TLS (PEM contents or paths, see {@link KafkaSslOptions}). Default: plain TCP. */
  readonly ssl?: KafkaSslOptions | boolean;
  /** SASL PLAIN / SCRAM-SHA-256 / SCRAM-SHA-512. Default: none. */
  readonly sasl?: KafkaSaslOptions;
}

export interface PlatformaticContext {
  readonly brokers: readonly string[];
  readonly base: BaseOptions;
  readonly connectDeadlineMs: number;
  readonly requestTimeoutMs: number;
}

export function platformaticContext(options: PlatformaticClientOptions): PlatformaticContext {
  const brokers = parseKafkaBrokers(options.brokers);
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const ssl = resolveKafkaSsl(options.ssl);
  const sasl = checkKafkaSasl(options.sasl);
  return {
    brokers,
    requestTimeoutMs,
    connectDeadlineMs: options.connectDeadlineMs ?? 8_000,
    base: {
      clientId: options.clientId ?? 'watershed',
      bootstrapBrokers: [...brokers],
      connectTimeout: options.connectionTimeoutMs ?? 2_000,
      requestTimeout: requestTimeoutMs,
      timeout: requestTimeoutMs,
      retries: options.retries ?? 3,
      retryDelay: 250,
      ...(ssl ? { tls: { ...ssl } } : {}),
      ...(sasl ? { sasl: { mechanism: sasl.mechanism.toUpperCase() as SASLMechanismValue, username: sasl.username, password: sasl.password } } : {}),
    },
  };
}

/** Runs `fn`, mapping whatever it throws with {@link mapPlatformaticError}. */
export async function mapped<T>(ctx: PlatformaticContext, operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw mapPlatformaticError(error, ctx.brokers, operation);
  }
}

/** A topic-partition as one string key. */
export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
