import { SourcePositionError } from '../../../sdk/errors.js';

/**
 * A Kafka read resumes from a checkpoint taken against another Kafka cluster than the one its
 * brokers belong to now: the broker was wiped (formatted again) or replaced since. The checkpoint's
 * offsets name records of a cluster that no longer exists (a refilled topic may even have the same
 * offsets), so resuming would silently skip input or lose output written to the old cluster; the run
 * fails before reading anything. A {@link SourcePositionError} ('replaced') naming the step, the
 * checkpoint's cluster id and the broker's. To go on, start the job with a new (empty)
 * `--checkpointDir` or without one (it reads from `startAt` again), or point it at the old cluster.
 * Checkpoints from before cluster ids were recorded resume without this check.
 *
 * @example
 * ```ts
 * try { await p.run(); }
 * catch (e) { if (e instanceof KafkaClusterChangedError) console.error(e.step, e.checkpointCluster, e.brokerCluster); }
 * ```
 */
export class KafkaClusterChangedError extends SourcePositionError {
  constructor(
    readonly step: string,
    readonly checkpointCluster: string,
    readonly brokerCluster: string,
    input: string,
  ) {
    super(
      input,
      'replaced',
      `step '${step}': the checkpoint was taken against Kafka cluster ${checkpointCluster}, but the brokers belong to cluster ${brokerCluster} now ` +
        `(the cluster was wiped or replaced since), so the checkpoint's offsets and the output written to the old cluster do not exist there. ` +
        `To read this cluster from startAt, start the job with a new (empty) --checkpointDir or without one; to resume, point the job at the cluster the checkpoint was taken against`,
    );
  }
}
