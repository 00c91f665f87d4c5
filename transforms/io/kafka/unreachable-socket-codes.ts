/**
 * Node's socket and DNS error codes (`error.code`) that mean a broker could not be reached or stopped
 * answering: refused, reset, timed out, no route, unknown host, broken pipe. Every Kafka client maps
 * an error with one of them anywhere in its causes to a KafkaUnavailableError (waited for within the
 * outage budget), never to a plain KafkaClientError.
 * @example if (typeof e.code === 'string' && UNREACHABLE_SOCKET_CODES.has(e.code)) return new KafkaUnavailableError(...);
 */
export const UNREACHABLE_SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
