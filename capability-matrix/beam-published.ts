/**
 * Apache Beam's published capability values for its Dataflow, Flink and Spark runners, shown next to
 * ours as reference columns. These are PUBLISHED BY APACHE BEAM, NOT MEASURED HERE: Beam keeps its
 * matrix by hand. Values are copied as published (level 1: Yes / Partially / No / Unverified; level 2:
 * Beam's short note; level 3: Beam's longer note, where it gives one). A row or runner Beam does not
 * publish stays blank: nothing here is guessed.
 *
 * Pinned: copied from the data file the page is generated from, `website/www/site/data/capability_matrix.yaml`
 * at Beam commit BEAM_COMMIT. That file has no 'Accumulating & Retracting' and no '[Meta]data driven
 * triggers' row, so those rows are blank. The columns are Beam's runners (Beam on Dataflow, Beam on
 * Flink, ...): what Beam's runner for an engine supports, not what the engine itself can do.
 */

/** The Beam commit the values below were copied from. */
export const BEAM_COMMIT = '06f56f5126567f65ad6b44c444a581546a556233';

export const BEAM_SOURCE_URL = 'https://beam.apache.org/documentation/runners/capability-matrix/';
export const BEAM_DATA_FILE_URL = `https://github.com/apache/beam/blob/${BEAM_COMMIT}/website/www/site/data/capability_matrix.yaml`;

export type BeamValue = 'Yes' | 'Partially' | 'No' | 'Unverified';

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

export type BeamRunnerId = 'dataflow' | 'flink' | 'spark-rdd' | 'spark-dataset';

export const BEAM_RUNNERS: readonly BeamRunner[] = [
  { id: 'dataflow', name: 'Beam’s Google Cloud Dataflow runner', short: 'Beam Dataflow runner' },
  { id: 'flink', name: 'Beam’s Apache Flink runner', short: 'Beam Flink runner' },
  { id: 'spark-rdd', name: 'Beam’s Apache Spark runner (RDD/DStream based)', short: 'Beam Spark runner (RDD/DStream)' },
  { id: 'spark-dataset', name: 'Beam’s Apache Spark Structured Streaming runner (Dataset based)', short: 'Beam Spark Structured Streaming runner' },
];

const y = (note: string, detail?: string): BeamCell => ({ value: 'Yes', note, ...(detail ? { detail } : {}) });
const p = (note: string, detail?: string): BeamCell => ({ value: 'Partially', note, ...(detail ? { detail } : {}) });
const n = (note: string, detail?: string): BeamCell => ({ value: 'No', note, ...(detail ? { detail } : {}) });
const unverified: BeamCell = { value: 'Unverified', note: '' };

const batchOnly = p('fully supported in batch mode');
/** The Where rows: Flink and Spark (RDD) 'Yes: supported', Structured Streaming 'Partially: fully supported in batch mode'. */
const windowRow = { flink: y('supported'), 'spark-rdd': y('supported'), 'spark-dataset': batchOnly };
/** Dataflow's Where values: 'built-in' for Beam's own window fns, 'supported' for custom ones and timestamp control. */
const builtIn = y('built-in');
const supported = y('supported');
/** Most When rows: 'Yes: fully supported' for Flink and Spark (RDD), batch mode only for Structured Streaming. */
const triggerRow = { flink: y('fully supported'), 'spark-rdd': y('fully supported'), 'spark-dataset': batchOnly };
const ONLY_ATTEMPTED = 'Only attempted values are supported. No committed values for metrics.';

/** By Beam row name (our capabilities name theirs in `beamRow`). */
export const BEAM_PUBLISHED: Readonly<Record<string, Readonly<Partial<Record<BeamRunnerId, BeamCell>>>>> = {
  // What is being computed?
  ParDo: {
    dataflow: y('fully supported', 'Batch mode uses large bundle sizes. Streaming uses smaller bundle sizes.'),
    flink: y('fully supported', 'ParDo itself, as per-element transformation with UDFs, is fully supported by Flink for both batch and streaming.'),
    'spark-rdd': y('fully supported', 'ParDo applies per-element transformations as Spark FlatMapFunction.'),
    'spark-dataset': p('fully supported in batch mode', 'ParDo applies per-element transformations as Spark FlatMapFunction.'),
  },
  GroupByKey: {
    dataflow: y('fully supported'),
    flink: y(
      'fully supported',
      "Uses Flink's keyBy for key grouping. When grouping by window in streaming (creating the panes) the Flink runner uses the Beam code. This guarantees support for all windowing and triggering mechanisms.",
    ),
    'spark-rdd': p('fully supported in batch mode', "Using Spark's groupByKey. GroupByKey with multiple trigger firings in streaming mode is a work in progress."),
    'spark-dataset': p('fully supported in batch mode', "Using Spark's groupByKey."),
  },
  Flatten: {
    dataflow: y('fully supported'),
    flink: y('fully supported'),
    'spark-rdd': y('fully supported'),
    'spark-dataset': p('fully supported in batch mode', 'Some corner cases like flatten on empty collections are not yet supported.'),
  },
  Combine: {
    dataflow: y('efficient execution'),
    flink: y('fully supported', 'Uses a combiner for pre-aggregation for batch and streaming.'),
    'spark-rdd': y('fully supported', "Using Spark's combineByKey and aggregate functions."),
    'spark-dataset': p('fully supported in batch mode', "Using Spark's Aggregator and agg function"),
  },
  'Composite Transforms': {
    dataflow: p('supported via inlining', 'Currently composite transformations are inlined during execution. The structure is later recreated from the names, but other transform level information (if added to the model) will be lost.'),
    flink: p('supported via inlining'),
    'spark-rdd': p('supported via inlining'),
    'spark-dataset': p('supported via inlining only in batch mode'),
  },
  'Side Inputs': {
    dataflow: y('some size restrictions in streaming', 'Batch mode supports a distributed implementation, but streaming mode may force some size restrictions. Neither mode is able to push lookups directly up into key-based sources.'),
    flink: y(
      'some size restrictions in streaming',
      'Batch mode supports a distributed implementation, but streaming mode may force some size restrictions. Neither mode is able to push lookups directly up into key-based sources.',
    ),
    'spark-rdd': y('fully supported', "Using Spark's broadcast variables. In streaming mode, side inputs may update but only between micro-batches."),
    'spark-dataset': p('fully supported in batch mode', "Using Spark's broadcast variables."),
  },
  'Source API': {
    dataflow: y('fully supported', 'Support includes autotuning features (https://cloud.google.com/dataflow/service/dataflow-service-desc#autotuning-features).'),
    flink: y('fully supported'),
    'spark-rdd': y('fully supported'),
    'spark-dataset': p(
      'bounded source only',
      "Using Spark's DatasourceV2 API in microbatch mode (Continuous streaming mode is tagged experimental in spark and does not support aggregation).",
    ),
  },
  Metrics: {
    dataflow: p('', 'Gauge metrics are not supported. All other metric types are supported.'),
    flink: p('All metrics types are supported.', ONLY_ATTEMPTED),
    'spark-rdd': p('All metric types are supported.', ONLY_ATTEMPTED),
    'spark-dataset': p('All metric types are supported in batch mode.', ONLY_ATTEMPTED),
  },
  'Stateful Processing': {
    dataflow: p('non-merging windows', 'State is supported for non-merging windows. SetState and MapState are not yet supported.'),
    flink: p('non-merging windows', 'State is supported for non-merging windows. SetState and MapState are not yet supported.'),
    'spark-rdd': p('full support in batch mode'),
    'spark-dataset': n('not implemented'),
  },
  // Where in event time?
  'Global windows': { ...windowRow, dataflow: y('default') },
  'Fixed windows': { ...windowRow, dataflow: builtIn },
  'Sliding windows': { ...windowRow, dataflow: builtIn },
  'Session windows': { ...windowRow, dataflow: builtIn },
  'Custom windows': { ...windowRow, dataflow: supported },
  'Custom merging windows': { ...windowRow, dataflow: supported },
  'Timestamp control': { ...windowRow, dataflow: supported },
  // When in processing time?
  'Configurable triggering': { ...triggerRow, dataflow: y('fully supported', 'Fully supported in streaming mode. In batch mode, intermediate trigger firings are effectively meaningless.') },
  'Event-time triggers': {
    ...triggerRow,
    dataflow: y(
      'yes in streaming, fixed granularity in batch',
      'Fully supported in streaming mode. In batch mode, currently watermark progress jumps from the beginning of time to the end of time once the input has been fully consumed, thus no additional triggering granularity is available.',
    ),
  },
  'Processing-time triggers': {
    dataflow: y('yes in streaming, fixed granularity in batch', 'Fully supported in streaming mode. In batch mode, from the perspective of triggers, processing time currently jumps from the beginning of time to the end of time once the input has been fully consumed, thus no additional triggering granularity is available.'),
    flink: y('fully supported'),
    'spark-rdd': y(
      "This is Spark streaming's native model",
      "Spark processes streams in micro-batches. The micro-batch size is actually a pre-set, fixed, time interval. Currently, the runner takes the first window size in the pipeline and sets it's size as the batch interval. Any following window operations will be considered processing time windows and will affect triggering.",
    ),
    'spark-dataset': batchOnly,
  },
  'Count triggers': { ...triggerRow, dataflow: y('fully supported', 'Fully supported in streaming mode. In batch mode, elements are processed in the largest bundles possible, so count-based triggers are effectively meaningless.') },
  'Composite triggers': { ...triggerRow, dataflow: y('fully supported') },
  'Allowed lateness': {
    dataflow: y('fully supported', 'Fully supported in streaming mode. In batch mode no data is ever late.'),
    flink: y('fully supported'),
    'spark-rdd': n(''),
    'spark-dataset': n('no streaming support in the runner'),
  },
  Timers: {
    dataflow: p('non-merging windows', 'Dataflow supports timers in non-merging windows.'),
    flink: p('non-merging windows', 'The Flink Runner supports timers in non-merging windows.'),
    'spark-rdd': p('fully supported in batch mode'),
    'spark-dataset': n('not implemented'),
  },
  // How do refinements relate?
  Discarding: {
    dataflow: y('fully supported'),
    flink: y('fully supported'),
    'spark-rdd': y('fully supported', 'Spark streaming natively discards elements after firing.'),
    'spark-dataset': batchOnly,
  },
  Accumulating: {
    dataflow: y('fully supported', 'Requires that the accumulated pane fits in memory, after being passed through the combiner (if relevant)'),
    flink: y('fully supported'),
    'spark-rdd': n(''),
    'spark-dataset': n(''),
  },
  // Additional common features not yet part of the Beam model
  Checkpoint: {
    dataflow: n(''),
    flink: p('', 'Flink has a native savepoint capability.'),
    'spark-rdd': p('', 'Spark has a native savepoint capability.'),
    'spark-dataset': n('', 'not implemented'),
  },
  Drain: {
    dataflow: p('', 'Dataflow has a native drain operation, but it does not work in the presence of event time timer loops. Final implemention pending model support.'),
    flink: p('', 'Flink supports taking a "savepoint" of the pipeline and shutting the pipeline down after its completion.'),
  },
  'Key-ordered delivery': {
    dataflow: p('', 'Dataflow performs different shuffling algorithms for batch and streaming. Dataflow guarantees key-ordered delivery in streaming, though not in batch.'),
    flink: p('', 'Flink may perform different shuffling algorithms for batch and streaming. Flink guarantees key-ordered delivery in streaming, though not in batch.'),
    'spark-rdd': unverified,
    'spark-dataset': unverified,
  },
  // Splittable DoFn support status (Beam's 'Bounded' and 'Unbounded Splittable DoFn Support Status' tables; their 'Base' rows)
  'Bounded Splittable DoFn': {
    dataflow: p('Only Dataflow Runner V2 supports this.'),
    flink: p('Only portable Flink Runner supports this.'),
  },
  'Unbounded Splittable DoFn': {
    dataflow: y(''),
    flink: y(''),
  },
};

/** Beam's published cell for a row and runner, or undefined when Beam publishes none. */
export function beamCell(row: string | undefined, runner: BeamRunnerId): BeamCell | undefined {
  return row === undefined ? undefined : BEAM_PUBLISHED[row]?.[runner];
}
