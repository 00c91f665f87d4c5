import { describe, expect, it } from 'vitest';
import {
  FEATURE_NAMES, featureExtractor, featureVector, ORIGINAL_FEATURES, parseFeatureList, TRAFFIC_FEATURES,
} from '../../../pipelines/netflow/features.js';
import { flow } from './test-records.js';

const record = flow({ src_ip4: 168099844, dst_ip4: 4294967295, src_port: 42126, dst_port: 40237, duration: 2, in_bytes: 157, in_packets: 1, out_bytes: 40, out_packets: 3 });

describe('feature sets', () => {
  it('defaults to the five traffic measurements', () => {
    expect(TRAFFIC_FEATURES).toEqual(['duration', 'in_bytes', 'in_packets', 'out_bytes', 'out_packets']);
  });

  it("keeps the original case class's order: dst_ip4, dst_port, duration, ..., src_ip4, src_port", () => {
    expect(ORIGINAL_FEATURES).toEqual(['dst_ip4', 'dst_port', 'duration', 'in_bytes', 'in_packets', 'out_bytes', 'out_packets', 'src_ip4', 'src_port']);
    expect(new Set(ORIGINAL_FEATURES)).toEqual(new Set(FEATURE_NAMES));
  });
});

describe('parseFeatureList', () => {
  it('parses lists and set names', () => {
    expect(parseFeatureList('duration,in_bytes')).toEqual(['duration', 'in_bytes']);
    expect(parseFeatureList(' out_bytes , src_port ')).toEqual(['out_bytes', 'src_port']);
    expect(parseFeatureList('traffic')).toEqual(TRAFFIC_FEATURES);
    expect(parseFeatureList('original')).toEqual(ORIGINAL_FEATURES);
  });

  it('names the unknown entry and the allowed ones', () => {
    expect(() => parseFeatureList('duration,bytes')).toThrow(/unknown feature "bytes"; allowed: src_ip4, .*out_packets or a set: traffic, original/);
    expect(() => parseFeatureList('toString')).toThrow(/unknown feature/);
  });

  it('refuses empty lists, empty entries and repeats', () => {
    expect(() => parseFeatureList('')).toThrow(/empty feature name/);
    expect(() => parseFeatureList('duration,,in_bytes')).toThrow(/empty feature name/);
    expect(() => parseFeatureList('duration,duration')).toThrow(/listed twice/);
  });
});

describe('featureVector', () => {
  it('reads the features in the order given', () => {
    expect([...featureVector(record, TRAFFIC_FEATURES)]).toEqual([2, 157, 1, 40, 3]);
    expect([...featureVector(record, ['src_port', 'src_ip4'])]).toEqual([42126, 168099844]);
  });

  it('scales with log1p', () => {
    expect([...featureVector(record, ['in_bytes', 'out_packets'], 'log1p')]).toEqual([Math.log1p(157), Math.log(4)]);
  });

  it('scales with fixed divisors, leaving other features alone', () => {
    expect([...featureVector(record, ['in_bytes', 'out_bytes'], { divisors: { in_bytes: 1000 } })]).toEqual([0.157, 40]);
  });

  it('refuses divisors that are not positive numbers', () => {
    expect(() => featureExtractor(['in_bytes'], { divisors: { in_bytes: 0 } })).toThrow(RangeError);
    expect(() => featureExtractor(['in_bytes'], { divisors: { in_bytes: Number.NaN } })).toThrow(RangeError);
  });

  it('returns a fresh Float64Array each call', () => {
    const toVector = featureExtractor(TRAFFIC_FEATURES);
    const a = toVector(record);
    expect(a).toBeInstanceOf(Float64Array);
    expect(toVector(record)).not.toBe(a);
  });
});
