import { CheckpointError } from '../../../sdk/errors.js';

/**
 * A run resumes from a checkpoint taken against another Kafka cluster than the one its brokers
 * belong to now: the broker was wiped (formatted again) or replaced since. The checkpoint's offsets
 * of a Kafka read, and the output an exactly-once Kafka write committed or prepared, belong to a
 * cluster that no longer exists (a refilled topic may even have the same offsets), so resuming
 * would silently lose input or output; the run fails before reading or writing anything. Names the
 * step, the checkpoint's cluster id and the brokers'. To go on, start the job with a new (empty)
 * `--checkpointDir` or without one, or point it at the cluster of the checkpoint. Checkpoints from
 * before cluster ids were recorded resume without this check.
 *
 * @example
 * ```ts
 * try { await p.run(); }
 * catch (e) { if (e instanceof KafkaClusterChangedError) console.error(e.step, e.checkpointCluster, e.brokerCluster); }
 * ```
 */
export class KafkaClusterChangedError extends CheckpointError {
  /** The Kafka read or write step. */
  readonly step: string;
  /** The cluster id the checkpoint was taken against. */
  readonly checkpointCluster: string;
  /** The cluster id the brokers report now. */
  readonly brokerCluster: string;

  constructor(
    step: string,
    checkpointCluster: string,
    brokerCluster: string,
    options: {
      /** The bootstrap brokers. */
      readonly brokers: readonly string[];
      /** What of the checkpoint lives in the old cluster, e.g. "its offsets of topic 'in'". */
      readonly holds: string;
      readonly checkpoint?: string;
    },
  ) {
    super(
      'KAFKA_CLUSTER_CHANGED',
      `step '${step}' cannot resume from ${options.checkpoint ?? 'its checkpoint'}: it was taken against Kafka cluster ${checkpointCluster}, ` +
        `but ${options.brokers.join(',')} belong to cluster ${brokerCluster} now (the cluster was wiped or replaced since), so ${options.holds} ` +
        `do not exist there and resuming would lose them silently. To start afresh on this cluster (reading the input again), start the job ` +
        `with a new (empty) --checkpointDir or without one; to resume, point the job at the cluster the checkpoint was taken against`,
      options.checkpoint !== undefined ? { checkpoint: options.checkpoint } : {},
    );
    this.step = step;
    this.checkpointCluster = checkpointCluster;
    this.brokerCluster = brokerCluster;
  }
}
