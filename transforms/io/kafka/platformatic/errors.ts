/**
 * Maps @platformatic/kafka's errors onto the client interface's {@link KafkaClientError} /
 * {@link KafkaUnavailableError}.
 *
 * The library reports a failure as a `GenericError` (with `code` `PLT_KFK_*`), a `ProtocolError` (the
 * broker's error name in `apiId`, `canRetry`) or a `MultipleErrors` (an AggregateError over several),
 * nested through `cause`. The mapping walks that tree: a network or timeout error anywhere means the
 * cluster could not be reached; otherwise the first broker error name becomes `code`, and the error is
 * retriable when the library says it may be.
 *
 * @example
 * ```ts
 * try { await admin.listTopics(); }
 * catch (e) { throw mapPlatformaticError(e, brokers, 'listTopics'); } // KafkaClientError, code 'UNKNOWN_TOPIC_OR_PARTITION', ...
 * ```
 */
import { KafkaAuthenticationError, KafkaClientError, KafkaUnavailableError } from '../client.js';
import { UNREACHABLE_SOCKET_CODES } from '../unreachable-socket-codes.js';

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  apiId?: unknown;
  canRetry?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The library's codes for "could not reach / hear from the broker", and the socket ones. */
const UNAVAILABLE_CODES = new Set(['PLT_KFK_NETWORK', 'PLT_KFK_TIMEOUT', ...UNREACHABLE_SOCKET_CODES]);

/** Every error in the tree under `error` (itself, its causes, and the members of aggregates), depth first. */
export function errorTree(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const visit = (e: unknown): void => {
    if (e === null || typeof e !== 'object' || out.length >= 50 || out.includes(e as ErrorLike)) return;
    const like = e as ErrorLike;
    out.push(like);
    if (Array.isArray(like.errors)) for (const inner of like.errors) visit(inner);
    visit(like.cause);
  };
  visit(error);
  return out;
}

/**
 * The broker's error name (e.g. `'UNKNOWN_TOPIC_OR_PARTITION'`) somewhere in the tree, if any. The
 * library reports a topic missing from the metadata as a `UserError` "Unknown topic <name>."; that
 * counts as `UNKNOWN_TOPIC_OR_PARTITION` too, as the broker would say.
 */
export function brokerErrorName(error: unknown): string | undefined {
  const tree = errorTree(error);
  for (const e of tree) if (typeof e.apiId === 'string') return e.apiId;
  if (tree.some((e) => e.code === 'PLT_KFK_USER' && typeof e.message === 'string' && e.message.startsWith('Unknown topic '))) return 'UNKNOWN_TOPIC_OR_PARTITION';
  return undefined;
}

/** True if the cluster could not be reached: a network or timeout error anywhere in the tree. */
export function isUnavailable(error: unknown): boolean {
  return errorTree(error).some((e) => typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code));
}

/**
 * Maps any error thrown by @platformatic/kafka to {@link KafkaUnavailableError} (cluster unreachable)
 * or {@link KafkaClientError} (everything else). A {@link KafkaClientError} passes through unchanged.
 */
export function mapPlatformaticError(error: unknown, brokers: readonly string[], operation: string): KafkaClientError {
  if (error instanceof KafkaClientError) return error;
  const tree = errorTree(error);
  const deepest = [...tree].reverse().find((e) => typeof e.message === 'string' && e.message !== '');
  const detail = typeof deepest?.message === 'string' ? deepest.message : String(error);
  const code = brokerErrorName(error) ?? tree.map((e) => (typeof e.code === 'string' ? e.code : undefined)).find((c) => c !== undefined);
  if (code === 'SASL_AUTHENTICATION_FAILED' || code === 'UNSUPPORTED_SASL_MECHANISM' || tree.some((e) => e.code === 'PLT_KFK_AUTHENTICATION')) {
    return new KafkaAuthenticationError(`Kafka ${operation}: authentication failed at ${brokers.join(',')}: ${detail}`, { code: code ?? 'SASL_AUTHENTICATION_FAILED', cause: error });
  }
  if (isUnavailable(error)) {
    return new KafkaUnavailableError(`Kafka unavailable at ${brokers.join(',')} (${operation}): ${detail}`, { brokers, code, cause: error });
  }
  const retriable = tree.some((e) => e.canRetry === true);
  return new KafkaClientError(`Kafka ${operation} failed: ${detail}`, { retriable, code, cause: error });
}
