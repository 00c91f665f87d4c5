import { DEFAULT_GENERATOR_OPTIONS, type NetflowGeneratorOptions } from './generator.js';

/**
 * The two load scenarios of the original Spark-vs-Flink comparison, as generator settings.
 *
 * Scenario 1, "many events in one window": about 10,000 events in ONE 3 s window whose same-key
 * pairs total about 2 million. With keys drawn independently with probabilities p_i, the expected
 * number of same-key pairs is C(N, 2) · Σ p_i². N = 10,000 gives C(N, 2) = 49,995,000, so 2 M pairs
 * needs Σ p_i² ≈ 0.04. Zipf skew 1 over 340 source IPs gives Σ p_i² = 0.039993, i.e. 1,999,420
 * expected pairs, with a hot key of ~1,560 events (~1.2 M pairs alone) and a long tail (uniform
 * over 25 IPs would also give 1,999,800, but without a hot key). Over seeds the count varies by about
 * ±2.7 % (one standard deviation, simulated). Event times: 4,000 events/s from a 3 s-aligned start
 * spans 0..2,499 ms, plus at most 500 ms of jitter, so every event lands in [start, start + 3 s).
 *
 * Scenario 2, "many windows": 50,000 events at 1,000 events/s = 50 s of event time, i.e. 17
 * windows of 3 s (16 full, the last one 2 s), from 100 source IPs with Zipf skew 1 (Σ p_i² = 0.0608):
 * C(3,000, 2) · 0.0608 ≈ 273,000 pairs per full window, (16 · C(3,000, 2) + C(2,000, 2)) · 0.0608
 * ≈ 4.5 M in all (seeds 1..3 give 4.41 M to 4.52 M; the largest group is ~610 events). Up to 1,000 ms of
 * jitter makes arrival order differ from event-time order across window boundaries, the effect
 * the original write-up saw as "apparently stochastic" results when grouping by arrival.
 *
 * Both scenarios start at 2017-03-20T15:45:00Z (a multiple of 3 s) and have no IPv6 or malformed
 * events unless overridden.
 */
export type ScenarioId = 1 | 2;

const SCENARIOS: Record<ScenarioId, NetflowGeneratorOptions> = {
  1: {
    ...DEFAULT_GENERATOR_OPTIONS,
    count: 10_000,
    eventsPerSecond: 4000,
    sourceIps: 340,
    keySkew: 1,
    maxJitterMs: 500,
  },
  2: {
    ...DEFAULT_GENERATOR_OPTIONS,
    count: 50_000,
    eventsPerSecond: 1000,
    sourceIps: 100,
    keySkew: 1,
    maxJitterMs: 1000,
  },
};

/**
 * The generator settings of scenario 1 or 2, with `overrides` applied (e.g. another seed, or an
 * IPv6 share). Overriding count, rate or start time can break the scenario's sizing described above.
 * @throws RangeError for an unknown scenario id.
 * @example generateNetflow(scenarioOptions(1, { seed: 42 }))
 */
export function scenarioOptions(scenario: ScenarioId, overrides: Partial<NetflowGeneratorOptions> = {}): NetflowGeneratorOptions {
  const base = SCENARIOS[scenario];
  if (base === undefined) throw new RangeError(`unknown scenario ${String(scenario)}; known: 1, 2`);
  return { ...base, ...overrides };
}
