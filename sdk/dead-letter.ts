import type { Instant } from './time.js';

/**
 * A record that could not be read or processed, with why. Nothing is silently lost: sources put
 * undecodable records here, and ParDos built `.withDeadLetters()` put failing elements here.
 */
export interface DeadLetter {
  /** The step that rejected the record. */
  readonly step: string;
  /** A short machine-readable reason, e.g. 'malformed-json', 'user-code'. */
  readonly reason: string;
  /** The error message. */
  readonly message: string;
  /** The element, or the raw record when it could not be decoded. */
  readonly element: unknown;
  readonly timestamp?: Instant;
  readonly window?: string;
  /** Where a source record came from (topic, partition, offset, file, line, ...). */
  readonly origin?: Readonly<Record<string, string | number | null>>;
}
