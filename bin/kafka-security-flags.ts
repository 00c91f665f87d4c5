/**
 * TLS and SASL settings for Kafka from the command line (`--kafkaCa`, `--kafkaCert`, `--kafkaKey`,
 * `--kafkaTls`, `--saslMechanism`, `--saslUsername`, `--saslPassword`, declared in
 * ./netflow-flags.ts), checked before anything runs: PEM files are read here, so a missing or
 * unreadable one is a flag error, not a failure in the middle of a run.
 *
 * The password comes from `--saslPassword` or, better (it stays out of `ps` and shell history),
 * from the environment variable `KAFKA_SASL_PASSWORD`; the flag wins.
 *
 * @example
 * ```ts
 * kafkaSecurityFromFlags({ kafkaCa: '.kafka/ca.pem', saslMechanism: 'scram-sha-512', saslUsername: 'watershed' }, { KAFKA_SASL_PASSWORD: 's3cret' });
 * // { ssl: { ca: <Buffer> }, sasl: { mechanism: 'scram-sha-512', username: 'watershed', password: 's3cret' } }
 * ```
 */
import { PipelineOptionsError } from '../sdk/errors.js';
import { KAFKA_SASL_MECHANISMS, readPem, type KafkaSaslMechanism, type KafkaSecurityOptions } from '../transforms/io/kafka/security.js';

/** The parsed flag values this reads (strings or booleans, as `parseFlags` gives them). */
export type KafkaSecurityFlagValues = Readonly<Record<string, string | boolean | undefined>>;

/**
 * The `ssl` and `sasl` options for KafkaIO, or `{}` when no such flag is given.
 * @throws PipelineOptionsError for an unknown mechanism, a missing username or password, a cert without key, or an unreadable PEM file.
 */
export function kafkaSecurityFromFlags(a: KafkaSecurityFlagValues, env: NodeJS.ProcessEnv = process.env): KafkaSecurityOptions {
  const str = (name: string): string | undefined => (typeof a[name] === 'string' ? (a[name] as string) : undefined);
  const pem = (flag: string): Buffer | undefined => {
    const path = str(flag);
    if (path === undefined) return undefined;
    try {
      return readPem(path, flag);
    } catch (e) {
      throw new PipelineOptionsError(`--${flag}=${path}: ${(e as Error).message}`);
    }
  };
  const ca = pem('kafkaCa');
  const cert = pem('kafkaCert');
  const key = pem('kafkaKey');
  if ((cert === undefined) !== (key === undefined)) throw new PipelineOptionsError('--kafkaCert and --kafkaKey go together (mutual TLS needs both)');
  const tls = a['kafkaTls'] === true || ca !== undefined || cert !== undefined;

  const mechanismText = str('saslMechanism');
  const username = str('saslUsername');
  const password = str('saslPassword') ?? env['KAFKA_SASL_PASSWORD'];
  let sasl: KafkaSecurityOptions['sasl'];
  if (mechanismText !== undefined) {
    const mechanism = mechanismText.toLowerCase() as KafkaSaslMechanism;
    if (!KAFKA_SASL_MECHANISMS.includes(mechanism)) throw new PipelineOptionsError(`--saslMechanism=${mechanismText}: use ${KAFKA_SASL_MECHANISMS.join(', ')}`);
    if (username === undefined || username === '') throw new PipelineOptionsError(`--saslMechanism=${mechanismText} needs --saslUsername`);
    if (password === undefined) throw new PipelineOptionsError(`--saslMechanism=${mechanismText} needs a password: set KAFKA_SASL_PASSWORD (or --saslPassword)`);
    sasl = { mechanism, username, password };
  } else if (username !== undefined || str('saslPassword') !== undefined) {
    throw new PipelineOptionsError(`--saslUsername / --saslPassword need --saslMechanism=${KAFKA_SASL_MECHANISMS.join('|')}`);
  }
  return {
    ...(tls ? { ssl: { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } } : {}),
    ...(sasl ? { sasl } : {}),
  };
}
