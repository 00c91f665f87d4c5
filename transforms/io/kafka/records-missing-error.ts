import { KafkaClientError } from './client.js';

/**
 * A Kafka read's client handed out a batch of a partition whose range starts at `fetchOffset`
 * (`KafkaBatch.fetchOffset`), while the read had not got the records from `expected` on: records
 * `expected..fetchOffset - 1` were lost on the way (fetched, but never delivered). The read fails
 * with this error instead of finishing short. `step` is the read's step name, `partition` is
 * `topic/partition`. Not retriable: it is a client bug.
 *
 * @example
 * ```ts
 * try { await p.run(); }
 * catch (e) { if (e instanceof KafkaRecordsMissingError) console.error(e.step, e.partition, e.offsets); }
 * ```
 */
export class KafkaRecordsMissingError extends KafkaClientError {
  override readonly name: string = 'KafkaRecordsMissingError';
  /** The missing range, `first..last`. */
  readonly offsets: string;

  constructor(
    readonly step: string,
    readonly partition: string,
    expected: string,
    fetchOffset: string,
  ) {
    const offsets = `${expected}..${BigInt(fetchOffset) - 1n}`;
    super(`${step}: ${partition} offsets ${offsets} were never delivered by the Kafka client, which went on at offset ${fetchOffset}; failing the read instead of finishing without them`, {
      retriable: false,
      code: 'RECORDS_MISSING',
    });
    this.offsets = offsets;
  }
}
