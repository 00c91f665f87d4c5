/**
 * Kafka protocol error codes the wire producer meets, with whether repeating the request may
 * succeed (the broker's own "retriable" classification). Codes not listed are reported as
 * `KAFKA_ERROR_<n>` and treated as not retriable.
 */
const CODES: Readonly<Record<number, readonly [name: string, retriable: boolean]>> = {
  [-1]: ['UNKNOWN_SERVER_ERROR', false],
  1: ['OFFSET_OUT_OF_RANGE', false],
  2: ['CORRUPT_MESSAGE', true],
  3: ['UNKNOWN_TOPIC_OR_PARTITION', true],
  5: ['LEADER_NOT_AVAILABLE', true],
  6: ['NOT_LEADER_OR_FOLLOWER', true],
  7: ['REQUEST_TIMED_OUT', true],
  10: ['MESSAGE_TOO_LARGE', false],
  13: ['NETWORK_EXCEPTION', true],
  14: ['COORDINATOR_LOAD_IN_PROGRESS', true],
  15: ['COORDINATOR_NOT_AVAILABLE', true],
  16: ['NOT_COORDINATOR', true],
  17: ['INVALID_TOPIC_EXCEPTION', false],
  18: ['RECORD_LIST_TOO_LARGE', false],
  19: ['NOT_ENOUGH_REPLICAS', true],
  20: ['NOT_ENOUGH_REPLICAS_AFTER_APPEND', true],
  21: ['INVALID_REQUIRED_ACKS', false],
  22: ['ILLEGAL_GENERATION', false],
  25: ['UNKNOWN_MEMBER_ID', false],
  27: ['REBALANCE_IN_PROGRESS', false],
  29: ['TOPIC_AUTHORIZATION_FAILED', false],
  30: ['GROUP_AUTHORIZATION_FAILED', false],
  31: ['CLUSTER_AUTHORIZATION_FAILED', false],
  32: ['INVALID_TIMESTAMP', false],
  35: ['UNSUPPORTED_VERSION', false],
  43: ['UNSUPPORTED_FOR_MESSAGE_FORMAT', false],
  45: ['OUT_OF_ORDER_SEQUENCE_NUMBER', false],
  46: ['DUPLICATE_SEQUENCE_NUMBER', false],
  47: ['INVALID_PRODUCER_EPOCH', false],
  48: ['INVALID_TXN_STATE', false],
  49: ['INVALID_PRODUCER_ID_MAPPING', false],
  50: ['INVALID_TRANSACTION_TIMEOUT', false],
  51: ['CONCURRENT_TRANSACTIONS', true],
  52: ['TRANSACTION_COORDINATOR_FENCED', false],
  53: ['TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false],
  55: ['OPERATION_NOT_ATTEMPTED', false],
  56: ['KAFKA_STORAGE_ERROR', true],
  59: ['UNKNOWN_PRODUCER_ID', false],
  74: ['FENCED_LEADER_EPOCH', true],
  75: ['UNKNOWN_LEADER_EPOCH', true],
  76: ['UNSUPPORTED_COMPRESSION_TYPE', false],
  87: ['INVALID_RECORD', false],
  89: ['THROTTLING_QUOTA_EXCEEDED', true],
  90: ['PRODUCER_FENCED', false],
};

export const ERROR_NONE = 0;
export const ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
export const ERROR_DUPLICATE_SEQUENCE_NUMBER = 46;
export const ERROR_NOT_COORDINATOR = 16;
export const ERROR_COORDINATOR_NOT_AVAILABLE = 15;
export const ERROR_COORDINATOR_LOAD_IN_PROGRESS = 14;
export const ERROR_INVALID_PRODUCER_EPOCH = 47;
export const ERROR_PRODUCER_FENCED = 90;
export const ERROR_INVALID_TXN_STATE = 48;
export const ERROR_OPERATION_NOT_ATTEMPTED = 55;
export const ERROR_TRANSACTION_COORDINATOR_FENCED = 52;

/** The errors (by code or by name) that mean another producer with the same transactional id has taken over. */
export function isFenced(code: number | string): boolean {
  const n = typeof code === 'string' ? code : errorName(code);
  return n === errorName(ERROR_INVALID_PRODUCER_EPOCH) || n === errorName(ERROR_PRODUCER_FENCED) || n === errorName(ERROR_TRANSACTION_COORDINATOR_FENCED);
}

/** The protocol name of `code`, e.g. `NOT_LEADER_OR_FOLLOWER`. */
export function errorName(code: number): string {
  return CODES[code]?.[0] ?? `KAFKA_ERROR_${code}`;
}

/** True if the broker says the same request may succeed later. */
export function isRetriable(code: number): boolean {
  return CODES[code]?.[1] ?? false;
}
