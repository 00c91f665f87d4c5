/**
 * The Netflow commands' Kafka TLS/SASL flags (bin/kafka-security-flags.ts, declared in
 * bin/netflow-flags.ts): strict, checked before anything runs, password from the flag or
 * KAFKA_SASL_PASSWORD.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateConfigFromArgs } from '../../bin/generate-command.js';
import { kafkaSecurityFromFlags } from '../../bin/kafka-security-flags.js';
import { netflowConfigFromArgs } from '../../bin/netflow-command.js';
import { PipelineOptionsError, UnknownFlagError } from '../../sdk/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'watershed-kafka-flags-'));
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const caPath = join(dir, 'ca.pem');
writeFileSync(caPath, PEM);

describe('Kafka security flags', () => {
  it('--kafkaCa turns TLS on with that CA (read now); SASL takes the password from the flag, else KAFKA_SASL_PASSWORD', () => {
    const flags = { kafkaCa: caPath, saslMechanism: 'SCRAM-SHA-512', saslUsername: 'alice' };
    expect(kafkaSecurityFromFlags(flags, { KAFKA_SASL_PASSWORD: 'from-env' })).toEqual({
      ssl: { ca: Buffer.from(PEM) },
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'from-env' },
    });
    expect(kafkaSecurityFromFlags({ ...flags, saslPassword: 'from-flag' }, { KAFKA_SASL_PASSWORD: 'from-env' }).sasl?.password).toBe('from-flag');
    expect(kafkaSecurityFromFlags({ kafkaTls: true }, {})).toEqual({ ssl: {} });
    expect(kafkaSecurityFromFlags({}, { KAFKA_SASL_PASSWORD: 'x' })).toEqual({});
  });

  it('refuses what cannot work, before the run: unknown mechanism, no user, no password, cert without key, unreadable CA', () => {
    const refuse = (flags: Record<string, string | boolean>, message: RegExp) => {
      expect(() => kafkaSecurityFromFlags(flags, {})).toThrow(PipelineOptionsError);
      expect(() => kafkaSecurityFromFlags(flags, {})).toThrow(message);
    };
    refuse({ saslMechanism: 'gssapi', saslUsername: 'a', saslPassword: 'p' }, /--saslMechanism=gssapi: use plain, scram-sha-256, scram-sha-512/);
    refuse({ saslMechanism: 'plain', saslPassword: 'p' }, /needs --saslUsername/);
    refuse({ saslMechanism: 'plain', saslUsername: 'a' }, /needs a password: set KAFKA_SASL_PASSWORD/);
    refuse({ saslUsername: 'a' }, /need --saslMechanism/);
    refuse({ kafkaCert: caPath }, /--kafkaCert and --kafkaKey go together/);
    refuse({ kafkaCa: join(dir, 'missing.pem') }, /--kafkaCa=.*missing\.pem: .*cannot read PEM file/);
  });

  it('the netflow and generate commands take them (strictly) and hand them to every Kafka step', () => {
    const args = ['--input=kafka:in', '--output=kafka:out', '--brokers=127.0.0.1:9093', `--kafkaCa=${caPath}`, '--saslMechanism=plain', '--saslUsername=alice', '--saslPassword=pw'];
    expect(netflowConfigFromArgs(args).kafka?.security).toEqual({ ssl: { ca: Buffer.from(PEM) }, sasl: { mechanism: 'plain', username: 'alice', password: 'pw' } });
    expect(netflowConfigFromArgs(['--input=kafka:in', '--brokers=b:1']).kafka?.security).toBeUndefined();
    const generate = generateConfigFromArgs(['--output=kafka:events', '--brokers=127.0.0.1:9093', `--kafkaCa=${caPath}`]);
    expect(generate.output).toMatchObject({ kind: 'kafka', security: { ssl: { ca: Buffer.from(PEM) } } });
    expect(() => netflowConfigFromArgs(['--kafkaCA=x'])).toThrow(UnknownFlagError);
    expect(() => netflowConfigFromArgs(['--kafkaCA=x'])).toThrow(/did you mean --kafkaCa\?/);
  });
});
