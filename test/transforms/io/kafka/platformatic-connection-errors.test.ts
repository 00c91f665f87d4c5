import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { guardClientConnections, guardPoolConnections } from '../../../../transforms/io/kafka/platformatic/connection-errors.js';
import { createPlatformaticClientFactory } from '../../../../transforms/io/kafka/platformatic-client.js';

/** A connection as @platformatic/kafka's pool sees it: the pool listens for its first 'error' only. */
function pooledConnection(): EventEmitter {
  const c = new EventEmitter();
  c.once('error', () => undefined);
  return c;
}

describe("@platformatic/kafka connections that err twice (a failed login, then a reset socket)", () => {
  it('without a lasting listener the second error is thrown (what killed a test worker)', () => {
    const c = pooledConnection();
    c.emit('error', new Error('SASL authentication failed'));
    expect(() => c.emit('error', new Error('read ECONNRESET'))).toThrow('ECONNRESET');
  });

  it("a client's connections, connected or failed, get a lasting listener", () => {
    const client = guardClientConnections(new EventEmitter());
    for (const event of ['client:broker:failed', 'client:broker:connect']) {
      const c = pooledConnection();
      client.emit(event, { broker: { host: '127.0.0.1', port: 1 }, connection: c });
      c.emit('error', new Error('first'));
      expect(() => c.emit('error', new Error('second'))).not.toThrow();
    }
  });

  it("a pool's connections get one from the moment they are created", () => {
    const pool = guardPoolConnections(new EventEmitter());
    const c = pooledConnection();
    pool.emit('connecting', { broker: { host: '127.0.0.1', port: 1 }, connection: c });
    pool.emit('connecting', { broker: { host: '127.0.0.1', port: 1 }, connection: c }); // once per connection
    expect(c.listenerCount('error')).toBe(2);
    c.emit('error', new Error('first'));
    expect(() => c.emit('error', new Error('second'))).not.toThrow();
  });

  it('the adapter guards the admin, consumer and producer it makes', () => {
    const kafka = createPlatformaticClientFactory({ brokers: '127.0.0.1:1' });
    const admin = (kafka.admin() as unknown as { admin: EventEmitter }).admin;
    const consumer = kafka.consumer() as unknown as { consumer: EventEmitter; pool: EventEmitter };
    const producer = (kafka.producer() as unknown as { producer: EventEmitter }).producer;
    for (const client of [admin, consumer.consumer, producer]) expect(client.listenerCount('client:broker:failed')).toBeGreaterThan(0);
    expect(consumer.pool.listenerCount('connecting')).toBeGreaterThan(0);
  });
});
