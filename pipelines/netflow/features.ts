import type { FlowRecord } from './flow-record.js';

/** Every numeric FlowRecord field that can take part in the distance. */
export const FEATURE_NAMES = [
  'src_ip4', 'dst_ip4', 'src_port', 'dst_port',
  'duration', 'in_bytes', 'in_packets', 'out_bytes', 'out_packets',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/**
 * The default features: the five traffic measurements the original write-up settled on after
 * finding that addresses and ports (categorical values read as numbers) drown the distance in noise.
 */
export const TRAFFIC_FEATURES: readonly FeatureName[] = ['duration', 'in_bytes', 'in_packets', 'out_bytes', 'out_packets'];

/**
 * The original job's features: every field of its `Flow_ip4` case class after `eventid`, in the
 * case class's (alphabetical) order. The order does not change a Euclidean distance.
 */
export const ORIGINAL_FEATURES: readonly FeatureName[] = [
  'dst_ip4', 'dst_port', 'duration', 'in_bytes', 'in_packets', 'out_bytes', 'out_packets', 'src_ip4', 'src_port',
];

/** Named feature sets accepted by {@link parseFeatureList}. */
export const FEATURE_SETS: Readonly<Record<string, readonly FeatureName[]>> = {
  traffic: TRAFFIC_FEATURES,
  original: ORIGINAL_FEATURES,
};

/**
 * Parses `--features`'s value: a comma-separated feature list, or the name of a set (`traffic`,
 * `original`). Whitespace around names is ignored.
 * @throws Error naming `--features=<text>`, the offending entry and the allowed names, for an
 *   unknown or repeated name or an empty list.
 * @example parseFeatureList('duration, in_bytes') // ['duration', 'in_bytes']
 * @example parseFeatureList('traffic')            // TRAFFIC_FEATURES
 */
export function parseFeatureList(text: string): FeatureName[] {
  const trimmed = text.trim();
  const set = Object.hasOwn(FEATURE_SETS, trimmed) ? FEATURE_SETS[trimmed] : undefined;
  if (set !== undefined) return [...set];
  const names = trimmed.split(',').map((s) => s.trim());
  if (trimmed === '' || names.some((n) => n === '')) {
    throw new Error(`--features=${text}: empty feature name; ${allowed()}`);
  }
  const seen = new Set<FeatureName>();
  for (const name of names) {
    if (!isFeatureName(name)) throw new Error(`--features=${text}: unknown feature ${JSON.stringify(name)}; ${allowed()}`);
    if (seen.has(name)) throw new Error(`--features=${text}: feature ${JSON.stringify(name)} is listed twice`);
    seen.add(name);
  }
  return [...seen];
}

/** True when `name` is one of {@link FEATURE_NAMES}. */
export function isFeatureName(name: string): name is FeatureName {
  return (FEATURE_NAMES as readonly string[]).includes(name);
}

function allowed(): string {
  return `allowed: ${FEATURE_NAMES.join(', ')} or a set: ${Object.keys(FEATURE_SETS).join(', ')}`;
}

/**
 * How raw feature values are scaled before the distance:
 * - `'none'`: as they are (the original job);
 * - `'log1p'`: `ln(1 + x)`, which tames heavy-tailed byte and packet counts;
 * - `{ divisors }`: `x / divisor` per feature (features without a divisor stay as they are).
 */
export type Scaling = 'none' | 'log1p' | { readonly divisors: Readonly<Partial<Record<FeatureName, number>>> };

/**
 * Builds a function from record to feature vector, checking the configuration once; use it in hot
 * loops (a window computes each record's vector once, not once per pair).
 * @throws RangeError when a divisor is not a positive finite number.
 * @example const toVector = featureExtractor(TRAFFIC_FEATURES, 'log1p'); toVector(record)
 */
export function featureExtractor(features: readonly FeatureName[], scaling: Scaling = 'none'): (record: FlowRecord) => Float64Array {
  const divisors = new Float64Array(features.length).fill(1);
  if (typeof scaling === 'object') {
    for (const [name, divisor] of Object.entries(scaling.divisors)) {
      if (divisor === undefined) continue;
      if (!(Number.isFinite(divisor) && divisor > 0)) throw new RangeError(`divisor for ${name} must be a positive number, got ${divisor}`);
      features.forEach((f, i) => {
        if (f === name) divisors[i] = divisor;
      });
    }
  }
  const log = scaling === 'log1p';
  return (record) => {
    const v = new Float64Array(features.length);
    for (let i = 0; i < features.length; i++) {
      const x = record[features[i]];
      v[i] = log ? Math.log1p(x) : x / divisors[i];
    }
    return v;
  };
}

/**
 * The feature vector of one record.
 * @throws RangeError when a divisor is not a positive finite number.
 * @example featureVector(record, ['in_bytes', 'out_bytes'], { divisors: { in_bytes: 1000 } }) // Float64Array [0.157, 40]
 */
export function featureVector(record: FlowRecord, features: readonly FeatureName[], scaling: Scaling = 'none'): Float64Array {
  return featureExtractor(features, scaling)(record);
}
