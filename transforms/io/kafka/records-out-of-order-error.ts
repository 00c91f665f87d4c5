import { KafkaClientError } from './client.js';

/**
 * A Kafka read was handed records of a partition that it had skipped over: the consumer client
 * delivered a later batch of the partition before an earlier one. The read fails with this error
 * instead of dropping the late records as "already read" (and finishing short).
 *
 * `step` is the read's step name, `partition` is `topic/partition`, `offsets` the late records'
 * first..last offset, `after` the offset already handed on past them. Not retriable: it is a client bug.
 *
 * @example
 * ```ts
 * try { await p.run(); }
 * catch (e) { if (e instanceof KafkaRecordsOutOfOrderError) console.error(e.step, e.partition, e.offsets); }
 * ```
 */
export class KafkaRecordsOutOfOrderError extends KafkaClientError {
  override readonly name: string = 'KafkaRecordsOutOfOrderError';

  constructor(
    readonly step: string,
    readonly partition: string,
    readonly offsets: string,
    readonly after: string,
  ) {
    super(
      `${step}: ${partition} got offsets ${offsets} after offset ${after} had been read past them: the Kafka client delivered the partition's batches out of order; failing the read instead of losing those records`,
      { retriable: false, code: 'RECORDS_OUT_OF_ORDER' },
    );
  }
}
