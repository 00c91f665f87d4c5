/**
 * A hard upper bound for connecting @platformatic/kafka clients, which otherwise retry a dead or
 * silent broker for `retries × (connectTimeout + retryDelay)`.
 *
 * {@link connectWithin} runs `connect` and, if it neither succeeds nor fails within `deadlineMs`,
 * rejects with a {@link KafkaUnavailableError} (code `CONNECT_DEADLINE`). On any failure it calls
 * `abort` (closing the half-open client) without waiting long for it, and maps the error with
 * {@link mapPlatformaticError}.
 *
 * @example
 * ```ts
 * await connectWithin({ what: 'admin', brokers, deadlineMs: 8_000 }, () => admin.metadata({ topics: [] }), () => admin.close());
 * ```
 */
import { KafkaUnavailableError } from '../client.js';
import { mapPlatformaticError } from './errors.js';

export interface ConnectDeadline {
  /** Which client connects, for the message: `'admin'`, `'producer'`, `'consumer'`. */
  readonly what: string;
  readonly brokers: readonly string[];
  readonly deadlineMs: number;
}

/** Waits for `promise` (ignoring its outcome) at most `ms`. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

export async function connectWithin<T>(d: ConnectDeadline, connect: () => Promise<T>, abort: () => Promise<unknown>): Promise<T> {
  const { promise: expired, reject } = Promise.withResolvers<never>();
  const timer = setTimeout(() => {
    reject(
      new KafkaUnavailableError(`Kafka unavailable at ${d.brokers.join(',')} (${d.what} connect): no connection within ${d.deadlineMs} ms`, {
        brokers: d.brokers,
        code: 'CONNECT_DEADLINE',
      }),
    );
  }, d.deadlineMs);
  try {
    return await Promise.race([connect(), expired]);
  } catch (error) {
    const aborting = abort().catch(() => undefined);
    // After the deadline the close may itself hang on the silent broker: do not wait for it.
    if (!(error instanceof KafkaUnavailableError && error.code === 'CONNECT_DEADLINE')) await settleWithin(aborting, 1_000);
    throw mapPlatformaticError(error, d.brokers, `${d.what} connect`);
  } finally {
    clearTimeout(timer);
  }
}
