/**
 * Apache Beam's published capability values for its Flink and Spark runners, shown next to ours as
 * reference columns. These are PUBLISHED BY APACHE BEAM, NOT MEASURED HERE: Beam keeps its matrix by
 * hand. Values are copied as published (level 1: Yes / Partially / No; level 2: Beam's short note;
 * level 3: Beam's longer note, where it gives one). A row or runner Beam does not publish stays
 * blank: nothing here is guessed.
 *
 * Looked up on the capability matrix pages (What / Where / When) and in the data file the page is
 * generated from (which also holds the How rows and the misc 'Checkpoint' row). Beam's current matrix
 * has no 'Accumulating & Retracting' row, so that row is blank.
 */

export const BEAM_SOURCE_URL = 'https://beam.apache.org/documentation/runners/capability-matrix/';
export const BEAM_DATA_FILE_URL = 'https://github.com/apache/beam/blob/master/website/www/site/data/capability_matrix.yaml';

export type BeamValue = 'Yes' | 'Partially' | 'No';

export interface BeamCell {
  readonly value: BeamValue;
  /** Beam's short note (level 2), possibly empty. */
  readonly note: string;
  /** Beam's longer note (level 3), when it gives one. */
  readonly detail?: string;
}

export interface BeamRunner {
  readonly id: BeamRunnerId;
  /** Beam's column name. */
  readonly name: string;
  /** A short header for our tables. */
  readonly short: string;
}

export type BeamRunnerId = 'flink' | 'spark-rdd' | 'spark-dataset';

export const BEAM_RUNNERS: readonly BeamRunner[] = [
  { id: 'flink', name: 'Apache Flink', short: 'Flink (Beam-published)' },
  { id: 'spark-rdd', name: 'Apache Spark (RDD/DStream based)', short: 'Spark RDD/DStream (Beam-published)' },
  { id: 'spark-dataset', name: 'Apache Spark Structured Streaming (Dataset based)', short: 'Spark Structured Streaming (Beam-published)' },
];

const y = (note: string, detail?: string): BeamCell => ({ value: 'Yes', note, ...(detail ? { detail } : {}) });
const p = (note: string, detail?: string): BeamCell => ({ value: 'Partially', note, ...(detail ? { detail } : {}) });
const n = (note: string, detail?: string): BeamCell => ({ value: 'No', note, ...(detail ? { detail } : {}) });

const batchOnly = p('fully supported in batch mode');
/** The Where rows: Flink and Spark (RDD) 'Yes: supported', Structured Streaming 'Partially: fully supported in batch mode'. */
const windowRow = { flink: y('supported'), 'spark-rdd': y('supported'), 'spark-dataset': batchOnly };
/** Most When rows: 'Yes: fully supported' for Flink and Spark (RDD), batch mode only for Structured Streaming. */
const triggerRow = { flink: y('fully supported'), 'spark-rdd': y('fully supported'), 'spark-dataset': batchOnly };
const ONLY_ATTEMPTED = 'Only attempted values are supported. No committed values for metrics.';

/** By Beam row name (our capabilities name theirs in `beamRow`). */
export const BEAM_PUBLISHED: Readonly<Record<string, Readonly<Partial<Record<BeamRunnerId, BeamCell>>>>> = {
  // What is being computed?
  ParDo: {
    flink: y('fully supported', 'ParDo itself, as per-element transformation with UDFs, is fully supported by Flink for both batch and streaming.'),
    'spark-rdd': y('fully supported', 'ParDo applies per-element transformations as Spark FlatMapFunction.'),
    'spark-dataset': p('fully supported in batch mode', 'ParDo applies per-element transformations as Spark FlatMapFunction.'),
  },
  GroupByKey: {
    flink: y(
      'fully supported',
      "Uses Flink's keyBy for key grouping. When grouping by window in streaming (creating the panes) the Flink runner uses the Beam code. This guarantees support for all windowing and triggering mechanisms.",
    ),
    'spark-rdd': p('fully supported in batch mode', "Using Spark's groupByKey. GroupByKey with multiple trigger firings in streaming mode is a work in progress."),
    'spark-dataset': p('fully supported in batch mode', "Using Spark's groupByKey."),
  },
  Flatten: {
    flink: y('fully supported'),
    'spark-rdd': y('fully supported'),
    'spark-dataset': p('fully supported in batch mode', 'Some corner cases like flatten on empty collections are not yet supported.'),
  },
  Combine: {
    flink: y('fully supported', 'Uses a combiner for pre-aggregation for batch and streaming.'),
    'spark-rdd': y('fully supported', "Using Spark's combineByKey and aggregate functions."),
    'spark-dataset': p('fully supported in batch mode', "Using Spark's Aggregator and agg function"),
  },
  'Composite Transforms': {
    flink: p('supported via inlining'),
    'spark-rdd': p('supported via inlining'),
    'spark-dataset': p('supported via inlining only in batch mode'),
  },
  'Side Inputs': {
    flink: y(
      'some size restrictions in streaming',
      'Batch mode supports a distributed implementation, but streaming mode may force some size restrictions. Neither mode is able to push lookups directly up into key-based sources.',
    ),
    'spark-rdd': y('fully supported', "Using Spark's broadcast variables. In streaming mode, side inputs may update but only between micro-batches."),
    'spark-dataset': p('fully supported in batch mode', "Using Spark's broadcast variables."),
  },
  'Source API': {
    flink: y('fully supported'),
    'spark-rdd': y('fully supported'),
    'spark-dataset': p(
      'bounded source only',
      "Using Spark's DatasourceV2 API in microbatch mode (Continuous streaming mode is tagged experimental in spark and does not support aggregation).",
    ),
  },
  Metrics: {
    flink: p('All metrics types are supported.', ONLY_ATTEMPTED),
    'spark-rdd': p('All metric types are supported.', ONLY_ATTEMPTED),
    'spark-dataset': p('All metric types are supported in batch mode.', ONLY_ATTEMPTED),
  },
  'Stateful Processing': {
    flink: p('non-merging windows', 'State is supported for non-merging windows. SetState and MapState are not yet supported.'),
    'spark-rdd': p('full support in batch mode'),
    'spark-dataset': n('not implemented'),
  },
  // Where in event time?
  'Global windows': windowRow,
  'Fixed windows': windowRow,
  'Sliding windows': windowRow,
  'Session windows': windowRow,
  'Custom windows': windowRow,
  'Custom merging windows': windowRow,
  'Timestamp control': windowRow,
  // When in processing time?
  'Configurable triggering': triggerRow,
  'Event-time triggers': triggerRow,
  'Processing-time triggers': {
    flink: y('fully supported'),
    'spark-rdd': y(
      "This is Spark streaming's native model",
      "Spark processes streams in micro-batches. The micro-batch size is actually a pre-set, fixed, time interval. Currently, the runner takes the first window size in the pipeline and sets it's size as the batch interval. Any following window operations will be considered processing time windows and will affect triggering.",
    ),
    'spark-dataset': batchOnly,
  },
  'Count triggers': triggerRow,
  'Composite triggers': triggerRow,
  'Allowed lateness': {
    flink: y('fully supported'),
    'spark-rdd': n(''),
    'spark-dataset': n('no streaming support in the runner'),
  },
  Timers: {
    flink: p('non-merging windows', 'The Flink Runner supports timers in non-merging windows.'),
    'spark-rdd': p('fully supported in batch mode'),
    'spark-dataset': n('not implemented'),
  },
  // How do refinements relate?
  Discarding: {
    flink: y('fully supported'),
    'spark-rdd': y('fully supported', 'Spark streaming natively discards elements after firing.'),
    'spark-dataset': batchOnly,
  },
  Accumulating: {
    flink: y('fully supported'),
    'spark-rdd': n(''),
    'spark-dataset': n(''),
  },
  // Additional common features not yet part of the Beam model
  Checkpoint: {
    flink: p('', 'Flink has a native savepoint capability.'),
    'spark-rdd': p('', 'Spark has a native savepoint capability.'),
    'spark-dataset': n('', 'not implemented'),
  },
};

/** Beam's published cell for a row and runner, or undefined when Beam publishes none. */
export function beamCell(row: string | undefined, runner: BeamRunnerId): BeamCell | undefined {
  return row === undefined ? undefined : BEAM_PUBLISHED[row]?.[runner];
}
