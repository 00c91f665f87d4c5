/**
 * Kafka on a secured listener (issue #14, "Secured clusters"): a private broker of this file
 * (./private-broker.ts) started by scripts/kafka-start.sh with KAFKA_SASL_SSL_PORT, i.e. TLS with a
 * CA of its own and SASL PLAIN / SCRAM-SHA-256 / SCRAM-SHA-512.
 *
 * - KafkaIO read → map → write over SASL_SSL with the default client mix (@platformatic/kafka
 *   consumer, wire producer) on both runners, with SCRAM-SHA-512 and with PLAIN; once with kafkajs;
 * - the wire producer alone over TLS + SCRAM-SHA-256;
 * - a wrong password fails at once with KafkaAuthenticationError (one connection, well within the
 *   connect deadline), for the wire producer and for the platformatic and kafkajs clients;
 * - plain text to the TLS port fails with a clear error instead of hanging;
 * - the Netflow commands' flags (--kafkaCa, --saslMechanism, ...) reach every Kafka step.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateConfigFromArgs } from '../../bin/generate-command.js';
import { netflowConfigFromArgs } from '../../bin/netflow-command.js';
import { DEFAULT_GENERATOR_OPTIONS } from '../../pipelines/netflow/generator.js';
import { runNetflowApp } from '../../pipelines/netflow/netflow-app.js';
import { buildGenerateApp } from '../../pipelines/netflow/netflow-generate.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { MapElements } from '../../transforms/map.js';
import {
  createKafkaClientFactory,
  KafkaAuthenticationError,
  KafkaClientError,
  KafkaIO,
  WireProducer,
  type KafkaClientFactory,
  type KafkaSaslMechanism,
  type KafkaSaslOptions,
} from '../../transforms/io/kafka/index.js';
import { createKafkajsClientFactory } from '../../transforms/io/kafka/kafkajs-client.js';
import { RUNNERS, runWith } from '../support/runners.js';
import { freePort } from '../support/free-port.js';
import { PrivateBroker, privateBrokerSkipReason } from './private-broker.js';

const skip = privateBrokerSkipReason();
const USER = 'pipeline';
const PASSWORD = 'pipeline-secret-1';
/** Far above every test's own timeout: a client that retried until it would make its test time out. */
const LONG_DEADLINE_MS = 120_000;

interface Ev {
  id: number;
  user: string;
}

/** A TCP forwarder to `target` that counts the connections made through it. */
async function countingProxy(target: string): Promise<{ address: string; connections: () => number; close: () => void }> {
  const [host, port] = target.split(':') as [string, string];
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(Number(port), host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${address.port}`,
    connections: () => connections,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** What `promise` rejects with (fails the test if it resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe.skipIf(skip !== null)(`Kafka over SASL_SSL${skip ? ` [SKIPPED: ${skip}]` : ''}`, () => {
  let broker: PrivateBroker | undefined;
  /** The SASL_SSL listener, `127.0.0.1:<port>`. */
  let secured = '';
  /** The PLAINTEXT listener, for setting up and checking topics. */
  let plain = '';
  let ca = '';
  let admin: ReturnType<KafkaClientFactory['admin']>;
  let startEnv: Record<string, string> = {};

  const sasl = (mechanism: KafkaSaslMechanism, password = PASSWORD): KafkaSaslOptions => ({ mechanism, username: USER, password });

  beforeAll(async () => {
    broker = await PrivateBroker.create('sasl-ssl');
    let port = await freePort();
    while (port === broker.port || port === broker.controllerPort) port = await freePort();
    startEnv = { KAFKA_SASL_SSL_PORT: String(port), KAFKA_SASL_USER: USER, KAFKA_SASL_PASSWORD: PASSWORD };
    const outcome = await broker.run([], startEnv);
    if (outcome.brokers === null) throw new Error(`kafka-start.sh exited with ${outcome.code}\n${outcome.stderr}`);
    plain = outcome.brokers;
    secured = /^KAFKA_SASL_SSL_BROKERS=(\S+)$/m.exec(outcome.stdout)?.[1] ?? '';
    ca = /^KAFKA_CA=(\S+)$/m.exec(outcome.stdout)?.[1] ?? '';
    expect(secured).toBe(`127.0.0.1:${port}`);
    expect(ca).toBe(`${broker.stateDir}/ca.pem`);
    admin = createKafkajsClientFactory({ brokers: plain, logLevel: 'nothing' }).admin();
    await admin.connect();
  }, 240_000);
  afterAll(async () => {
    await admin?.disconnect().catch(() => undefined);
    broker?.dispose();
  });

  const createTopic = async (what: string): Promise<string> => {
    const topic = `watershed-secured-${what}-${randomUUID()}`;
    await admin.createTopics([{ topic, partitions: 3 }]);
    return topic;
  };

  /** Every value of `topic`, read over the plain listener with a bounded KafkaIO read. */
  const readBack = async <T>(topic: string): Promise<T[]> => {
    const { out } = await runWith({ runner: 'native' }, (p) => p.apply('Check', KafkaIO.read<T>({ brokers: plain, topics: topic, startAt: 'earliest', bounded: true })).apply(Capture.records()));
    return out.values() as T[];
  };

  const events: Ev[] = Array.from({ length: 240 }, (_, id) => ({ id, user: `u${id % 17}` }));
  const seed = async (topic: string): Promise<void> => {
    const producer = createKafkajsClientFactory({ brokers: plain, logLevel: 'nothing' }).producer();
    await producer.connect();
    await producer.send(topic, events.map((e) => ({ key: e.user, value: JSON.stringify(e) })));
    await producer.disconnect();
  };

  const cases: Array<{ label: string; mechanism: KafkaSaslMechanism; client?: 'kafkajs'; runners: typeof RUNNERS }> = [
    { label: 'SCRAM-SHA-512, default clients', mechanism: 'scram-sha-512', runners: RUNNERS },
    { label: 'PLAIN, default clients', mechanism: 'plain', runners: RUNNERS },
    { label: 'SCRAM-SHA-256, kafkajs', mechanism: 'scram-sha-256', client: 'kafkajs', runners: RUNNERS.slice(0, 1) },
  ];
  for (const c of cases) {
    describe.each(c.runners)(`KafkaIO read → map → write over SASL_SSL (${c.label}) on $label`, ({ options }) => {
      it('every record arrives, mapped, in the output topic', async () => {
        const input = await createTopic('in');
        const output = await createTopic('out');
        await seed(input);
        const security = { brokers: secured, ssl: { ca }, sasl: sasl(c.mechanism), ...(c.client ? { client: c.client } : {}) };
        const { result } = await runWith(options, (p) =>
          p
            .apply('Read', KafkaIO.read<Ev>({ ...security, topics: input, startAt: 'earliest', bounded: true }))
            .apply('Tag', MapElements((e: Ev) => ({ ...e, tagged: `${e.user}:${e.id}` })))
            .apply('Write', KafkaIO.write<Ev & { tagged: string }>({ ...security, topic: output, key: (e) => e.user })),
        );
        expect(result.metrics['Write']?.elementsIn).toBe(events.length);
        const got = await readBack<Ev & { tagged: string }>(output);
        expect(got.sort((a, b) => a.id - b.id)).toEqual(events.map((e) => ({ ...e, tagged: `${e.user}:${e.id}` })));
      }, 90_000);
    });
  }

  it('generate and the Netflow job over SASL_SSL with the command-line flags (--kafkaCa, --saslMechanism=scram-sha-512, ...)', async () => {
    const events = await createTopic('netflow-in');
    const pairs = await createTopic('netflow-out');
    const flags = [`--brokers=${secured}`, `--kafkaCa=${ca}`, '--saslMechanism=scram-sha-512', `--saslUsername=${USER}`, `--saslPassword=${PASSWORD}`];
    const gen = generateConfigFromArgs([`--output=kafka:${events}`, '--count=600', '--seed=5', ...flags]);
    const p = Pipeline.create({ runner: 'microbatch' });
    const stats = buildGenerateApp(p, { ...DEFAULT_GENERATOR_OPTIONS, ...gen.generator, count: 600 }, gen.output);
    await p.run();
    expect(stats.events).toBe(600);
    const config = netflowConfigFromArgs([`--input=kafka:${events}`, `--output=kafka:${pairs}`, ...flags]);
    const summary = await runNetflowApp(Pipeline.create({ runner: 'native' }), config);
    expect(summary.eventsIn + summary.metrics['Kafka']!.deadLettered!).toBe(600);
    expect(summary.eventsIn).toBeGreaterThan(500);
    expect((await readBack<unknown>(pairs)).length).toBeGreaterThan(0);
  }, 90_000);

  it('the wire producer alone over TLS + SCRAM-SHA-256: keyed and keyless sends land in the topic', async () => {
    const topic = await createTopic('wire');
    const producer = new WireProducer({ brokers: secured, ssl: { ca }, sasl: sasl('scram-sha-256') });
    await producer.connect();
    try {
      await producer.send(topic, events.slice(0, 120).map((e) => ({ key: e.user, value: JSON.stringify(e) })));
      await producer.send(topic, events.slice(120).map((e) => ({ value: JSON.stringify(e) })));
    } finally {
      await producer.disconnect();
    }
    expect((await readBack<Ev>(topic)).sort((a, b) => a.id - b.id)).toEqual(events);
  }, 60_000);

  it('a wrong password: the wire producer fails at once with KafkaAuthenticationError, after one connection', async () => {
    const proxy = await countingProxy(secured);
    try {
      const producer = new WireProducer({ brokers: proxy.address, ssl: { ca }, sasl: sasl('scram-sha-512', 'wrong'), connectDeadlineMs: LONG_DEADLINE_MS });
      const error = await rejectionOf(producer.connect());
      expect(error).toBeInstanceOf(KafkaAuthenticationError);
      expect(error.message).toMatch(/authentication failed/i);
      expect((error as KafkaClientError).retriable).toBe(false);
      expect(proxy.connections()).toBe(1);
      const plainPw = await rejectionOf(new WireProducer({ brokers: secured, ssl: { ca }, sasl: sasl('plain', 'wrong'), connectDeadlineMs: LONG_DEADLINE_MS }).connect());
      expect(plainPw).toBeInstanceOf(KafkaAuthenticationError);
    } finally {
      proxy.close();
    }
  }, 30_000);

  it.each(['platformatic', 'kafkajs'] as const)('a wrong password: the %s admin fails with KafkaAuthenticationError within the connect deadline, without a retry storm', async (client) => {
    const proxy = await countingProxy(secured);
    try {
      const kafka = createKafkaClientFactory({ brokers: proxy.address, client, ssl: { ca }, sasl: sasl('scram-sha-256', 'wrong'), connectTimeoutMs: LONG_DEADLINE_MS, logLevel: 'nothing' });
      const a = kafka.admin();
      const error = await rejectionOf(a.connect());
      await a.disconnect().catch(() => undefined);
      expect(error).toBeInstanceOf(KafkaAuthenticationError);
      expect(error.message).toMatch(/authentication failed/i);
      expect(proxy.connections()).toBeLessThanOrEqual(4);
    } finally {
      proxy.close();
    }
  }, 30_000);

  it('plain text to the TLS port fails with a clear error, not a hang', async () => {
    const producer = new WireProducer({ brokers: secured, connectDeadlineMs: LONG_DEADLINE_MS });
    const error = await rejectionOf(producer.connect());
    expect(error).toBeInstanceOf(KafkaClientError);
    expect((error as KafkaClientError).code).toBe('TLS_REQUIRED');
    expect(error.message).toMatch(/TLS/);
  }, 30_000);

  it('TLS without the CA fails with a clear certificate error, not a retry until the deadline', async () => {
    const error = await rejectionOf(new WireProducer({ brokers: secured, ssl: true, sasl: sasl('plain'), connectDeadlineMs: LONG_DEADLINE_MS }).connect());
    expect((error as KafkaClientError).code).toBe('TLS_CERTIFICATE');
    expect(error.message).toMatch(/not trusted/);
  }, 30_000);

  // Last: it restarts the broker.
  it('a restart on the existing data keeps the CA, the SCRAM users and the records; the listener works again', async () => {
    const topic = await createTopic('restart');
    await seed(topic);
    const caBefore = readFileSync(ca, 'utf8');
    await admin.disconnect();
    broker!.stop();
    const outcome = await broker!.run([], startEnv);
    expect(outcome.brokers, outcome.stderr).toBe(plain);
    expect(outcome.stderr).toMatch(/restarting on the existing data/);
    expect(readFileSync(ca, 'utf8')).toBe(caBefore);
    admin = createKafkajsClientFactory({ brokers: plain, logLevel: 'nothing' }).admin();
    await admin.connect();
    const producer = new WireProducer({ brokers: secured, ssl: { ca }, sasl: sasl('scram-sha-512') });
    await producer.connect();
    await producer.send(topic, [{ value: JSON.stringify({ id: -1, user: 'after' }) }]);
    await producer.disconnect();
    const { out } = await runWith({ runner: 'native' }, (p) =>
      p.apply('Read', KafkaIO.read<Ev>({ brokers: secured, ssl: { ca }, sasl: sasl('scram-sha-256'), topics: topic, startAt: 'earliest', bounded: true })).apply(Capture.records()),
    );
    expect(out.values()).toHaveLength(events.length + 1);
  }, 180_000);
});
