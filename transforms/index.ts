/**
 * The transforms: inputs ({@link Create}, {@link Read} for any Source), element-wise ({@link ParDo},
 * {@link MapElements}, {@link FlatMap}, {@link Filter}, {@link WithKeys}), windowing ({@link Window}),
 * aggregations ({@link GroupByKey}, {@link Combine}, {@link Count}, {@link Sum}, {@link Mean}, {@link Top},
 * ...), and multi-input ones ({@link Flatten}, {@link Partition}, {@link CoGroupByKey}, side inputs).
 * The IO has entry points of its own: `watershed/io/kafka`, `watershed/io/text-file`, `watershed/io/generate`.
 * @example
 * p.apply('Clicks', Create(['ann', 'bob', 'ann']))
 *   .apply('ByUser', WithKeys((user: string) => user))
 *   .apply('Count', Count.perKey<string>());
 * @module watershed/transforms
 */
export * from './read.js';
export * from './create.js';
export * from './par-do.js';
export * from './map.js';
export type { ElementWise } from './internal/element-wise.js';
export * from './flat-map.js';
export * from './filter.js';
export * from './with-keys.js';
export * from './window.js';
export * from './group-by-key.js';
export * from './combine.js';
export * from './flatten.js';
export * from './partition.js';
export * from './co-group-by-key.js';
export * from './distinct.js';
export * from './combiners/count.js';
export * from './combiners/sum.js';
export type { ExactSum, SumAccumulator } from './combiners/exact-sum.js';
export * from './combiners/mean.js';
export * from './combiners/min-max.js';
export * from './combiners/top.js';
export * from './combiners/latest.js';
