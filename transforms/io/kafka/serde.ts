import { isUtf8 } from 'node:buffer';
import { RejectedElementError } from '../../../sdk/internal/rejected-element.js';
import type { KafkaMessage } from './client.js';
import { parseJsonExact } from '../exact-json.js';

/**
 * Turns a record's value (or key) bytes into an element. `record` is the whole consumed record
 * (topic, partition, offset, timestamp, key, headers) for deserializers that need more than the bytes.
 * Throwing sends the record to the read step's dead-letter output; throw a {@link DeserializationError}
 * to choose the dead letter's `reason`.
 */
export type Deserializer<T> = (bytes: Buffer | null, record: KafkaMessage) => T;

/** Turns an element into record bytes; `null` writes a tombstone (value) or no key. */
export type Serializer<T> = (value: T) => Buffer | string | null;

/** A record that could not be decoded; `reason` becomes the dead letter's reason. */
export class DeserializationError extends Error {
  override readonly name = 'DeserializationError';
  constructor(
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The Kafka serializers and deserializers Watershed ships. JSON is the default for values and
 * UTF-8 strings for keys.
 * @example KafkaIO.read<Click>({ ..., deserializer: Serde.json<Click>() })
 */
export const Serde = {
  /**
   * Parses UTF-8 JSON. `null` bytes (a tombstone) give `null`. Malformed JSON: reason 'malformed-json';
   * bytes that are not valid UTF-8: reason 'invalid-utf8' (never parsed with U+FFFD in their strings);
   * JSON nested more than 1000 levels: reason 'too-deep' (it would overflow the stack of whatever walks it later);
   * an integer written beyond ±(2^53 − 1), which a number would round to another: reason 'unsafe-integer'.
   */
  json<T = unknown>(): Deserializer<T> {
    return (bytes) => {
      if (bytes === null) return null as T;
      if (!isUtf8(bytes)) throw new DeserializationError('invalid-utf8', `the value is not valid UTF-8 (${bytes.length} bytes)`);
      const parsed = parseJsonExact(bytes.toString('utf8'));
      if (!parsed.ok) throw new DeserializationError(parsed.reason, parsed.reason === 'too-deep' ? `the value is ${parsed.message}` : parsed.message);
      return parsed.value as T;
    };
  },
  /**
   * UTF-8 text (`null` stays `null`). Bytes that are not valid UTF-8: reason 'invalid-utf8' (never
   * decoded with U+FFFD, which would make different keys equal); `Serde.bytes()` keeps any bytes.
   */
  string(): Deserializer<string | null> {
    return (bytes) => {
      if (bytes === null) return null;
      if (!isUtf8(bytes)) throw new DeserializationError('invalid-utf8', `not valid UTF-8 (${bytes.length} bytes)`);
      return bytes.toString('utf8');
    };
  },
  /** The raw bytes. */
  bytes(): Deserializer<Buffer | null> {
    return (bytes) => bytes;
  },
  /** `JSON.stringify(value)`; `undefined` is written as a tombstone. */
  toJson<T = unknown>(): Serializer<T> {
    return (value) => (value === undefined ? null : JSON.stringify(value));
  },
  /**
   * `String(value)`; `null`/`undefined` give `null`. A value whose text says nothing of it (`[object Object]`:
   * an object without a `toString` of its own) is not written: in `KafkaIO.write` it is a dead letter, reason
   * `unencodable` (every object would go as the same 15 characters); use `Serde.toJson()` for objects.
   */
  toText<T = unknown>(): Serializer<T> {
    return (value) => {
      if (value === null || value === undefined) return null;
      const text = String(value);
      if (text === '[object Object]' && typeof value === 'object') throw new RejectedElementError('unencodable', `Serde.toText: the value is an object whose text is '[object Object]' (nothing of its content): use Serde.toJson()`);
      return text;
    };
  },
};
