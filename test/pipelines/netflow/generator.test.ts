import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateNetflow, type GeneratedEvent, type NetflowGeneratorOptions } from '../../../pipelines/netflow/generator.js';
import { parseFlow } from '../../../pipelines/netflow/parse-flow.js';

const MIXED: Partial<NetflowGeneratorOptions> = {
  seed: 11, count: 2000, eventsPerSecond: 500, sourceIps: 50, keySkew: 1, maxJitterMs: 300, ipv6Share: 0.1, malformedShare: 0.15,
};

const digest = (events: Iterable<GeneratedEvent>) => {
  const hash = createHash('sha256');
  for (const e of events) hash.update(e.raw).update('\n');
  return hash.digest('hex');
};

describe('generateNetflow', () => {
  it('gives the same output for the same seed, byte for byte, and different output for another seed', () => {
    expect(digest(generateNetflow(MIXED))).toBe(digest(generateNetflow(MIXED)));
    expect(digest(generateNetflow({ ...MIXED, seed: 12 }))).not.toBe(digest(generateNetflow(MIXED)));
  });

  it('has not drifted (update this digest only when changing the generator on purpose)', () => {
    expect(digest(generateNetflow({ ...MIXED, count: 200 }))).toBe('29894e8af9314619e6d40239ecf7698a944dea67a98899eb201a8151f846908c');
  });

  it("writes the original event shape, with 18-digit ids that parseFlow keeps exactly", () => {
    const events = [...generateNetflow({ seed: 3, count: 500 })];
    const first = JSON.parse(events[0].raw) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual([
      'eventid', 'dvc_version', 'aproto', 'src_ip4', 'dst_ip4', 'eventtime', 'out_packets', 'type', 'dvc_time', 'dst_ip',
      'src_ip', 'duration', 'in_bytes', 'conn_state', '@version', 'out_bytes', 'dvc_type', 'in_packets', 'nproto',
      'src_port', '@timestamp', 'dst_port', 'category',
    ]);
    const ids = events.map((e) => {
      const p = parseFlow(e.raw);
      if (!p.ok) throw new Error(p.detail);
      expect(p.record.eventid).toBe(/"eventid":(\d+)/.exec(e.raw)![1]);
      return p.record.eventid;
    });
    expect(ids.every((id) => id.length === 18 && BigInt(id) > BigInt(Number.MAX_SAFE_INTEGER))).toBe(true);
    expect(new Set(ids).size).toBe(500);
  });

  it('spaces event times at the given rate and keeps out-of-orderness within maxJitterMs', () => {
    const events = [...generateNetflow(MIXED)];
    expect(events.map((e) => e.arrivalIndex)).toEqual(events.map((_, i) => i));
    let maxSeen = -Infinity;
    let worstLateness = 0;
    let outOfOrder = 0;
    for (const e of events) {
      if (e.eventTimeMs < maxSeen) outOfOrder++;
      worstLateness = Math.max(worstLateness, maxSeen - e.eventTimeMs);
      maxSeen = Math.max(maxSeen, e.eventTimeMs);
    }
    expect(worstLateness).toBeLessThanOrEqual(300);
    expect(worstLateness).toBeGreaterThan(250);
    expect(outOfOrder).toBeGreaterThan(1000);
    const start = events[0].eventTimeMs - (events[0].eventTimeMs % 1000);
    expect(Math.max(...events.map((e) => e.eventTimeMs)) - start).toBeLessThanOrEqual(3998 + 300);
  });

  it('writes the event time into the event', () => {
    for (const e of generateNetflow({ seed: 5, count: 50, maxJitterMs: 999 })) {
      const p = parseFlow(e.raw);
      expect(p.ok && Math.round(p.record.eventtime * 1000)).toBe(e.eventTimeMs);
      expect(JSON.parse(e.raw)['@timestamp']).toBe(new Date(e.eventTimeMs).toISOString());
    }
  });

  it('mixes IPv6 and malformed events in the given shares, each rejected as its kind says', () => {
    const kinds = new Map<string, number>();
    for (const e of generateNetflow(MIXED)) {
      kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
      const p = parseFlow(e.raw);
      const expected = e.kind === 'valid' ? 'ok' : e.kind === 'truncated-json' ? 'malformed-json' : e.kind;
      expect(p.ok ? 'ok' : p.reason).toBe(expected);
    }
    expect(kinds.get('ipv6')! / 2000).toBeCloseTo(0.1, 1);
    const malformed = kinds.get('truncated-json')! + kinds.get('non-numeric-field')! + kinds.get('negative-count')!;
    expect(malformed / 2000).toBeCloseTo(0.15, 1);
    expect(kinds.get('truncated-json')).toBeGreaterThan(50);
  });

  it('changes only the kinds when a share changes', () => {
    const plain = [...generateNetflow({ ...MIXED, ipv6Share: 0, malformedShare: 0 })];
    const mixed = [...generateNetflow(MIXED)];
    mixed.forEach((e, i) => {
      if (e.kind === 'valid') expect(e.raw).toBe(plain[i].raw);
      expect(e.eventTimeMs).toBe(plain[i].eventTimeMs);
    });
  });

  it('skews keys: exponent 0 spreads events evenly, exponent 1.5 concentrates them', () => {
    const perKey = (keySkew: number) => {
      const counts = new Map<number, number>();
      for (const e of generateNetflow({ seed: 2, count: 10_000, sourceIps: 20, keySkew })) {
        const p = parseFlow(e.raw);
        if (p.ok) counts.set(p.record.src_ip4, (counts.get(p.record.src_ip4) ?? 0) + 1);
      }
      return [...counts.values()].sort((x, y) => y - x);
    };
    const uniform = perKey(0);
    expect(uniform).toHaveLength(20);
    expect(uniform[0]).toBeLessThan(650);
    expect(perKey(1.5)[0]).toBeGreaterThan(3500);
  });

  it('yields nothing for count 0 and refuses bad options on first use', () => {
    expect([...generateNetflow({ count: 0 })]).toEqual([]);
    for (const bad of [
      { count: -1 }, { count: 1.5 }, { eventsPerSecond: 0 }, { sourceIps: 0 }, { keySkew: -1 },
      { maxJitterMs: -1 }, { ipv6Share: 1.5 }, { malformedShare: -0.1 }, { ipv6Share: 0.6, malformedShare: 0.6 },
    ]) {
      expect(() => generateNetflow(bad).next()).toThrow(RangeError);
    }
  });

  it('refuses a rate, count and jitter that put the last event past the last Date (+275760), before the first event', () => {
    // Before: accepted, then the first event past 8.64e15 ms threw 'Invalid time value' mid-run.
    for (const bad of [{ count: 300, eventsPerSecond: 1e-300 }, { count: 2, eventsPerSecond: 1e-13 }, { count: 1, maxJitterMs: 8.64e15 }]) {
      expect(() => generateNetflow(bad).next()).toThrow(/past the last date/);
    }
    // A last event near the last Date is fine.
    const [first, last] = [...generateNetflow({ count: 2, eventsPerSecond: 1000 / 8e15, maxJitterMs: 0 })];
    expect(last!.eventTimeMs - first!.eventTimeMs).toBe(8e15);
  });
});
