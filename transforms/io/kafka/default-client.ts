import type { KafkaClientFactory } from './client.js';
import { createKafkajsClientFactory, type KafkajsLogLevelName } from './kafkajs-client.js';

/** How KafkaIO reaches a cluster: a ready client factory, or the default (kafkajs) built from these settings. */
export interface KafkaConnectionOptions {
  /** `'127.0.0.1:19092'`, `'a:1,b:2'` or an array of `host:port`. */
  readonly brokers: string | readonly string[];
  /** Another client implementation (e.g. for measuring a different library); default: kafkajs. */
  readonly client?: KafkaClientFactory;
  /** Client id sent to the brokers. Default 'watershed'. */
  readonly clientId?: string;
  /** Upper bound for connecting; an unreachable cluster fails with KafkaUnavailableError after it. Default 8000 ms. */
  readonly connectTimeoutMs?: number;
  /** Log level of the default client. Default: env `WATERSHED_KAFKA_LOG`, else 'warn'. */
  readonly logLevel?: KafkajsLogLevelName;
}

/** The factory KafkaIO uses: `options.client`, else a kafkajs-backed one (the only place KafkaIO names kafkajs). */
export function kafkaClientFor(options: KafkaConnectionOptions): KafkaClientFactory {
  if (options.client) return options.client;
  return createKafkajsClientFactory({
    brokers: options.brokers,
    clientId: options.clientId ?? 'watershed',
    connectDeadlineMs: options.connectTimeoutMs ?? 8_000,
    ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
  });
}
