import { v7, validate, version } from 'uuid';

/**
 * A new checkpoint, job or run id: a uuid v7 whose 48-bit time part is `msecs`, read by the caller
 * from the injected clock (the runner core never reads the wall clock). The rest is random, so two
 * ids made in the same millisecond differ but are not ordered: order checkpoints by `seq`, never by id.
 * @throws RangeError when `msecs` is not an integer in 0..2^48-1.
 * @example newUuidV7(clock.now()) // '018f3c5e-…'
 */
export function newUuidV7(msecs: number): string {
  if (!Number.isSafeInteger(msecs) || msecs < 0 || msecs >= 2 ** 48) throw new RangeError(`a uuid v7 needs a time in 0..2^48-1 ms, got ${msecs}`);
  return v7({ msecs });
}

/** True for a uuid v7 string. */
export function isUuidV7(x: unknown): x is string {
  return typeof x === 'string' && validate(x) && version(x) === 7;
}

/** The time part of a uuid v7, in ms since the epoch. */
export function uuidV7Time(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
