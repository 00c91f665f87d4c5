import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../sdk/dead-letter.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { Create } from '../../../transforms/create.js';
import { NetflowJob } from '../../../pipelines/netflow/netflow-job.js';
import { parseFlow } from '../../../pipelines/netflow/parse-flow.js';
import { referencePairs } from '../../../pipelines/netflow/reference.js';
import { RUNNERS, runWith } from '../../support/runners.js';

const base = { src_ip4: 167772161, dst_ip4: 167772162, src_port: 1000, dst_port: 80, duration: 1, in_bytes: 100, in_packets: 2, out_bytes: 50, out_packets: 1, nproto: 'TCP' };
const ev = (id: string, t: number, over: Record<string, unknown> = {}) => JSON.stringify({ eventid: id, ...base, eventtime: 1490024700 + t, ...over });
const without = (id: string, field: string) => {
  const o: Record<string, unknown> = { eventid: id, ...base, eventtime: 1490024700.1 };
  delete o[field];
  return JSON.stringify(o);
};

const VALID = [ev('v1', 0.1, { in_bytes: 10 }), ev('v2', 0.5, { in_bytes: 400 }), ev('v3', 1.2, { out_packets: 9 }), ev('v4', 2.9, { duration: 0.25 })];
const BAD: [line: string, step: 'DropIPv6' | 'Parse', reason: string][] = [
  ['{"eventid": 1, "src_ip4": 1', 'Parse', 'malformed-json'],
  ['"just a string"', 'Parse', 'malformed-json'],
  [without('m1', 'in_bytes'), 'Parse', 'missing-field'],
  [ev('m2', 0.2, { nproto: '' }), 'Parse', 'missing-field'],
  [ev('n1', 0.3, { in_bytes: 'abc' }), 'Parse', 'non-numeric-field'],
  [ev('n2', 0.3, { duration: [1] }), 'Parse', 'non-numeric-field'],
  [ev('g1', 0.4, { out_packets: -1 }), 'Parse', 'negative-count'],
  [ev('g2', 0.4, { in_bytes: '-5' }), 'Parse', 'negative-count'],
  [JSON.stringify({ eventid: 'six1', src_ip6: '2001:db8::1', dst_ip6: '2001:db8::2', eventtime: 1490024700 }), 'DropIPv6', 'ipv6'],
  [ev('six2', 0.6, { src_ip4: undefined, src_ip: 'fe80::1' }), 'Parse', 'ipv6'],
];

describe.each(RUNNERS)('bad Netflow input on $label', ({ options }) => {
  it('counts rejects per reason, sends them to the dead-letter output with the reason, and leaves the valid records alone', async () => {
    const lines = [VALID[0]!, ...BAD.slice(0, 5).map((b) => b[0]), VALID[1]!, VALID[2]!, ...BAD.slice(5).map((b) => b[0]), VALID[3]!];
    const { out, result } = await runWith(options, (p) => {
      const job = p.apply(Create(lines)).apply('Netflow', NetflowJob.of());
      return { pairs: job.pairs.apply('Pairs', Capture.records()), rejected: job.rejected.apply('Rejected', Capture.records()) };
    });
    // per reason, in the step that rejected them
    expect(result.metrics['Netflow/DropIPv6']!.counters).toEqual({ 'rejected.ipv6': 1 });
    expect(result.metrics['Netflow/Parse']!.counters).toEqual({
      'rejected.malformed-json': 2,
      'rejected.missing-field': 2,
      'rejected.non-numeric-field': 2,
      'rejected.negative-count': 2,
      'rejected.ipv6': 1,
    });
    // on the dead-letter output, each with its reason, step, detail and the raw line
    const letters = out.rejected.values() as DeadLetter[];
    const got = letters.map((d) => [d.element, d.step, d.reason]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    const want = BAD.map(([line, step, reason]) => [line, `Netflow/${step}`, reason]).sort((a, b) => a[0]!.localeCompare(b[0]!));
    expect(got).toEqual(want);
    expect(letters.find((d) => d.reason === 'non-numeric-field' && String(d.element).includes('abc'))!.message).toBe('in_bytes is "abc"');
    expect(letters.find((d) => d.reason === 'negative-count' && String(d.element).includes('g1'))!.message).toBe('out_packets is -1');
    // the valid records give the same pairs as when they come alone
    const valid = VALID.map((l) => {
      const r = parseFlow(l);
      if (!r.ok) throw new Error('test data');
      return r.record;
    });
    const expected = [...referencePairs(valid).values()].flat();
    expect(expected).toHaveLength(6);
    expect(out.pairs.values().map((p) => [p.eventid_1, p.eventid_2, p.distance])).toEqual(expected.map((p) => [p.eventid_1, p.eventid_2, p.distance]));
    expect(result.metrics['Netflow/GroupByKey']!.elementsIn).toBe(4);
  });

  it('is not fooled by an empty src_ip6 member (an IPv4 record that merely has the field)', async () => {
    const lines = [ev('a', 0.1, { src_ip6: '' }), ev('b', 0.2, { dst_ip6: null })];
    const { out, result } = await runWith(options, (p) => p.apply(Create(lines)).apply('Netflow', NetflowJob.of()).pairs.apply(Capture.records()));
    expect(out.values().map((p) => `${p.eventid_1}-${p.eventid_2}`)).toEqual(['a-b']);
    expect(result.metrics['Netflow/DropIPv6']!.counters).toEqual({});
    expect(result.metrics['Netflow/Parse']!.counters).toEqual({});
  });
});
