/**
 * Thrown by one of the repository's own DoFns (a sink) for an element it cannot handle through no
 * fault of user code, e.g. a Kafka record over the size limit. In a ParDo built `.withDeadLetters()`
 * the element goes to the dead letters with this `reason`, `message` and `origin` (instead of
 * `user-code`); in any other ParDo it fails the run like any error of a DoFn. Internal: not exported
 * by an entry point.
 * @example throw new RejectedElementError('record-too-large', "step 'Write': the record is 2,097,155 bytes ...", { topic: 'pairs' })
 */
export class RejectedElementError extends Error {
  override readonly name = 'RejectedElementError';
  constructor(
    /** The dead letter's reason, e.g. `record-too-large`. */
    readonly reason: string,
    message: string,
    /** Where the element was going (e.g. `{ topic }`). */
    readonly origin?: Readonly<Record<string, string | number | null>>,
  ) {
    super(message);
  }
}
