import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../../pipelines/netflow/flow-record.js';
import { generateNetflow } from '../../../pipelines/netflow/generator.js';
import { expectedSameKeyPairs } from '../../../pipelines/netflow/key-skew.js';
import { parseFlow } from '../../../pipelines/netflow/parse-flow.js';
import { scenarioOptions, type ScenarioId } from '../../../pipelines/netflow/scenarios.js';
import { windowCensus } from '../../../pipelines/netflow/window-census.js';

function records(scenario: ScenarioId, seed: number): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (const e of generateNetflow(scenarioOptions(scenario, { seed }))) {
    const p = parseFlow(e.raw);
    if (!p.ok) throw new Error(`${p.reason}: ${p.detail}`);
    out.push(p.record);
  }
  return out;
}

describe('scenario 1: ~10,000 events in one 3 s window, ~2 M same-key pairs', () => {
  it('is sized so the expected pair count is 2 M', () => {
    const o = scenarioOptions(1);
    expect(Math.round(expectedSameKeyPairs(o.count, o.sourceIps, o.keySkew))).toBe(1_999_420);
  });

  it.each([1, 2, 3, 42])('with seed %i: 10,000 events, one window, pairs within ±10 %% of 2,000,000', (seed) => {
    const census = windowCensus(records(1, seed));
    expect(census.records).toBe(10_000);
    expect(new Set([...census.groups.keys()].map((id) => id.split('@')[1])).size).toBe(1);
    expect(census.pairs).toBeGreaterThan(1_800_000);
    expect(census.pairs).toBeLessThan(2_200_000);
    expect(census.largestGroup).toBeGreaterThan(1400);
  });
});

describe('scenario 2: ~50,000 events over many 3 s windows', () => {
  it('spreads 50,000 events over 17 windows, ~4.5 M pairs, out of order across windows', () => {
    const all = records(2, 1);
    const census = windowCensus(all);
    expect(census.records).toBe(50_000);
    expect(new Set([...census.groups.keys()].map((id) => id.split('@')[1])).size).toBe(17);
    expect(census.pairs).toBeGreaterThan(4_000_000);
    expect(census.pairs).toBeLessThan(5_000_000);
    let maxSeen = -Infinity;
    let late = 0;
    for (const r of all) {
      if (Math.floor(r.eventtime / 3) < Math.floor(maxSeen / 3)) late++;
      maxSeen = Math.max(maxSeen, r.eventtime);
    }
    expect(late).toBeGreaterThan(1000);
  });
});

describe('scenarioOptions', () => {
  it('applies overrides and refuses unknown scenarios', () => {
    expect(scenarioOptions(1, { seed: 9, ipv6Share: 0.1 })).toMatchObject({ seed: 9, ipv6Share: 0.1, count: 10_000 });
    expect(() => scenarioOptions(3 as ScenarioId)).toThrow(RangeError);
  });
});
