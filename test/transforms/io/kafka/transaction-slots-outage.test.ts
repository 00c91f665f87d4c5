import { describe, expect, it } from 'vitest';
import { KafkaAuthenticationError, KafkaUnavailableError, type KafkaPreparingProducerPort, type PreparedKafkaTransaction } from '../../../../transforms/io/kafka/client.js';
import { TransactionSlots } from '../../../../transforms/io/kafka/transaction-slots.js';

/**
 * TransactionSlots while the broker is away (issue #13, design §i): the slots start mid-run (at the
 * first record or checkpoint), so a broker that cannot be reached then is waited for within the
 * outage budget, as the read and the sends wait; `abort()` of a failing run does not wait a whole
 * budget again. Fake producers, real (short) time.
 */

/** A producer whose `connect()` runs `connect`, and whose abort never settles when `hangAbort`. */
function fakeProducer(id: string, connect: () => Promise<void>, log: string[], hangAbort = false): KafkaPreparingProducerPort {
  return {
    connect: async () => {
      log.push(`connect ${id}`);
      await connect();
    },
    disconnect: async () => void log.push(`disconnect ${id}`),
    send: async () => [],
    sendBlock: async () => [],
    beginTransaction: () => void log.push(`begin ${id}`),
    sendOffsetsToTransaction: async () => undefined,
    commitTransaction: async () => undefined,
    abortTransaction: () => (hangAbort ? new Promise<void>(() => undefined) : Promise.resolve()),
    prepareTransaction: async (): Promise<PreparedKafkaTransaction | undefined> => undefined,
  };
}

const unavailable = () => new KafkaUnavailableError('no Kafka broker reachable at fake:1 within 8000 ms', { brokers: ['fake:1'] });

describe('TransactionSlots and broker outages', () => {
  it('a broker unreachable when the slots start is waited for (new producers, backoff) and the slots start once it answers', async () => {
    const log: string[] = [];
    let failures = 3;
    const slots = new TransactionSlots({
      step: 'Out',
      ids: ['p.Out.0.0', 'p.Out.0.1'],
      transactionTimeoutMs: 60_000,
      outageTimeoutMs: 20_000,
      producer: (id) =>
        fakeProducer(id, async () => {
          if (failures-- > 0) throw unavailable();
        }, log),
      commitPrepared: async () => undefined,
    });
    await slots.start();
    expect(log.filter((l) => l.startsWith('connect'))).toEqual(['connect p.Out.0.0', 'connect p.Out.0.0', 'connect p.Out.0.0', 'connect p.Out.0.0', 'connect p.Out.0.1']);
    // each failed producer was disconnected before the next try
    expect(log.filter((l) => l === 'disconnect p.Out.0.0')).toHaveLength(3);
    expect(log.at(-1)).toBe('begin p.Out.0.0');
    await slots.close();
  }, 30_000);

  it('a broker away longer than the budget: start fails with the last connection error', async () => {
    const log: string[] = [];
    const slots = new TransactionSlots({
      step: 'Out',
      ids: ['p.Out.0.0', 'p.Out.0.1'],
      transactionTimeoutMs: 60_000,
      outageTimeoutMs: 1_200,
      producer: (id) => fakeProducer(id, async () => Promise.reject(unavailable()), log),
      commitPrepared: async () => undefined,
    });
    await expect(slots.start()).rejects.toBeInstanceOf(KafkaUnavailableError);
    expect(log.filter((l) => l.startsWith('connect')).length).toBeGreaterThan(1);
    await slots.close();
  }, 30_000);

  it('an error retrying cannot fix (authentication) fails at once', async () => {
    const log: string[] = [];
    const slots = new TransactionSlots({
      step: 'Out',
      ids: ['p.Out.0.0', 'p.Out.0.1'],
      transactionTimeoutMs: 60_000,
      outageTimeoutMs: 60_000,
      producer: (id) => fakeProducer(id, async () => Promise.reject(new KafkaAuthenticationError('authentication failed', { code: 'SASL_AUTHENTICATION_FAILED' })), log),
      commitPrepared: async () => undefined,
    });
    await expect(slots.start()).rejects.toBeInstanceOf(KafkaAuthenticationError);
    expect(log.filter((l) => l.startsWith('connect'))).toHaveLength(1);
    await slots.close();
  });

  it('abort of a failing run waits at most abortTimeoutMs for a broker that does not answer', async () => {
    const log: string[] = [];
    const slots = new TransactionSlots({
      step: 'Out',
      ids: ['p.Out.0.0', 'p.Out.0.1'],
      transactionTimeoutMs: 60_000,
      abortTimeoutMs: 200,
      producer: (id) => fakeProducer(id, async () => undefined, log, true),
      commitPrepared: async () => undefined,
    });
    await slots.start();
    await slots.abort(); // would never settle without the bound
    await slots.close();
    expect(log).toContain('disconnect p.Out.0.1');
  });
});
