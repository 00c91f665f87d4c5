/**
 * @platformatic/kafka's connection pool listens for a connection's `'error'` event with `once`: a
 * connection that errs twice (a failed SASL login, then the broker resetting the socket) emits the
 * second error with no listener, which Node turns into an uncaught exception that kills the process.
 * The request that failed already got its error through its callback, so a second one only needs a
 * listener. These helpers give every connection of a client or pool a lasting one.
 *
 * @example
 * const admin = guardClientConnections(new Admin({ ...ctx.base }));
 * const pool = guardPoolConnections(new ConnectionPool(clientId, options));
 */
import type { EventEmitter } from 'node:events';

const guarded = new WeakSet<object>();
const ignore = (): void => undefined;

/** Gives one connection a lasting `'error'` listener (once per connection). */
function guardConnection(connection: unknown): void {
  if (typeof connection !== 'object' || connection === null || guarded.has(connection)) return;
  const c = connection as Partial<EventEmitter>;
  if (typeof c.on !== 'function') return;
  guarded.add(connection);
  c.on('error', ignore);
}

const withConnection = (payload: unknown): void => guardConnection((payload as { connection?: unknown } | undefined)?.connection);

/** Every connection a library client (Admin, Consumer, Producer) opens, connected or failed. Returns the client. */
export function guardClientConnections<T extends EventEmitter>(client: T): T {
  client.on('client:broker:connect', withConnection);
  client.on('client:broker:failed', withConnection);
  return client;
}

/** Every connection a pool of our own opens, from the moment it is created. Returns the pool. */
export function guardPoolConnections<T extends EventEmitter>(pool: T): T {
  pool.on('connecting', withConnection);
  return pool;
}
