import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readNetflowEventTime } from '../../pipelines/netflow/netflow-event-time.js';
import { eventTimeMillis } from '../../pipelines/netflow/flow-record.js';
import {
  arbFlowSpecs,
  arbGarbageLine,
  interleave,
  LINE_OF,
  lineReader,
  outcomeProblem,
  ZEEK_TSV_HEADER,
  type LineOutcome,
  type ReaderName,
} from './netflow-arbitraries.js';

/**
 * Issue #12: random bytes, random lines and mutated valid records through every reader (Suricata
 * EVE, Zeek conn JSON and TSV, raw Netflow NDJSON) and `parseFlow`: nothing throws, every line is
 * a flow within its ranges, skipped with a reason, or rejected with a reason, and valid lines mixed
 * with garbage read exactly as they do alone. Fixed seeds for reproducibility; failures shrink.
 */
const READERS: readonly ReaderName[] = ['suricata', 'zeek-json', 'zeek-tsv', 'ndjson'];
const header = (reader: ReaderName): readonly string[] => (reader === 'zeek-tsv' ? ZEEK_TSV_HEADER : []);

function readAll(reader: ReaderName, lines: readonly string[]): LineOutcome[] {
  const read = lineReader(reader);
  return lines.map((l) => read(l));
}

describe.each(READERS)('the %s reader, fuzzed', (reader) => {
  it('reads every line of garbage without throwing: a flow within its ranges, or a reason', () => {
    fc.assert(
      fc.property(fc.array(arbGarbageLine(reader), { maxLength: 30 }), (garbage) => {
        const lines = [...header(reader), ...garbage];
        const outcomes = readAll(reader, lines);
        expect(outcomes).toHaveLength(lines.length);
        for (const o of outcomes) expect(outcomeProblem(o)).toBeUndefined();
      }),
      { numRuns: 60, seed: 12_0201 },
    );
  });

  it('valid lines read as flows, and the same flows when garbage is mixed in', () => {
    fc.assert(
      fc.property(arbFlowSpecs(12), fc.array(fc.tuple(fc.nat(), arbGarbageLine(reader)), { maxLength: 20 }), (specs, garbage) => {
        const valid = specs.map(LINE_OF[reader]);
        const alone = readAll(reader, [...header(reader), ...valid]).slice(header(reader).length);
        for (const o of alone) expect(o.kind).toBe('flow');
        const { lines, validAt } = interleave(valid, garbage);
        const mixed = readAll(reader, [...header(reader), ...lines]).slice(header(reader).length);
        expect(validAt.map((i) => mixed[i])).toEqual(alone);
        for (const o of mixed) expect(outcomeProblem(o)).toBeUndefined();
      }),
      { numRuns: 40, seed: 12_0202 },
    );
  });
});

describe('the event time read before parsing (for the broker source), fuzzed', () => {
  it('gives every line an event time within range or a reason, and the same time parseFlow gives a valid record', () => {
    const read = lineReader('ndjson');
    fc.assert(
      fc.property(fc.oneof(arbGarbageLine('ndjson'), arbFlowSpecs(1).map((s) => LINE_OF.ndjson(s[0]!))), (line) => {
        const t = readNetflowEventTime(line);
        const o = read(line);
        if (t.ok) {
          expect(Number.isFinite(t.ms) && t.ms >= 0 && t.ms < 4_102_444_800_000).toBe(true);
          if (o.kind === 'flow') expect(t.ms).toBe(eventTimeMillis(o.record));
        } else {
          expect(['malformed-json', 'invalid-event-time']).toContain(t.reason);
          expect(t.detail).not.toBe('');
          expect(o.kind).toBe('rejected'); // no readable event time: parseFlow rejects it too
        }
      }),
      { numRuns: 150, seed: 12_0203 },
    );
  });
});
