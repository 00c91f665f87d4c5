import { ConflictingOptionsError } from '../../sdk/errors.js';

/**
 * A source's `timestamp` option (its elements' event time), given under that name or under a
 * deprecated alias (KafkaIO's `eventTime`, RxIO's `timestampFn`): the one given, or undefined.
 * @throws ConflictingOptionsError when both are given (naming `step` when known, and `source`).
 * @example timestampOption(o.timestamp, o.eventTime, 'eventTime', 'KafkaIO.read(clicks)') // o.timestamp ?? o.eventTime
 */
export function timestampOption<F>(timestamp: F | undefined, alias: F | undefined, aliasName: string, source: string, step?: string): F | undefined {
  if (timestamp !== undefined && alias !== undefined) throw new ConflictingOptionsError(source, 'timestamp', aliasName, step);
  return timestamp ?? alias;
}
