import { describe, expect, it } from 'vitest';
import '../../../runners/index.js';
import { Pipeline } from '../../../sdk/pipeline.js';
import { DEFAULT_DEMO_GENERATOR, netflowConfigFromArgs, parseScaling } from '../../../bin/netflow-command.js';
import { ORIGINAL_FEATURES } from '../../../pipelines/netflow/features.js';
import { buildNetflowApp, NotAvailableError, parseInputSpec, parseOutputSpec, runNetflowApp } from '../../../pipelines/netflow/netflow-app.js';
import { formatNetflowSummary } from '../../../pipelines/netflow/netflow-summary.js';

describe('netflow command flags', () => {
  it('defaults to the built-in generator, a stdout summary and the top 5 pairs', () => {
    expect(netflowConfigFromArgs([])).toEqual({
      input: { kind: 'generator', options: DEFAULT_DEMO_GENERATOR },
      output: { kind: 'stdout-summary' },
      job: { windowMs: undefined, features: undefined, scaling: undefined, allowedLatenessMs: undefined, topN: 5 },
      stats: { digests: false },
    });
  });

  it('reads scenarios, generator settings, job options and inputs/outputs', () => {
    const c = netflowConfigFromArgs(['--scenario=2', '--seed=9', '--window=2s', '--features=original', '--scaling=log1p', '--allowedLateness=500ms', '--top=3', '--histogram=linear:1000', '--output=ndjson:out/p.ndjson']);
    expect(c.input).toEqual({ kind: 'generator', options: { seed: 9 }, scenario: 2 });
    expect(c.output).toEqual({ kind: 'ndjson', path: 'out/p.ndjson' });
    expect(c.job).toEqual({ windowMs: 2000, features: ORIGINAL_FEATURES, scaling: 'log1p', allowedLatenessMs: 500, topN: 3, histogram: { kind: 'linear', width: 1000 } });
    expect(netflowConfigFromArgs(['--input=zeek:/x/conn.log', '--maxOutOfOrderness=10s']).input).toEqual({ kind: 'zeek', path: '/x/conn.log' });
    expect(netflowConfigFromArgs(['--input=zeek:/x/conn.log', '--maxOutOfOrderness=10s']).maxOutOfOrdernessMs).toBe(10_000);
    expect(netflowConfigFromArgs(['--features=duration,in_bytes']).job.features).toEqual(['duration', 'in_bytes']);
    expect(parseScaling('divide:in_bytes=1000,out_bytes=10')).toEqual({ divisors: { in_bytes: 1000, out_bytes: 10 } });
  });

  it('refuses bad flags with a message naming them', () => {
    expect(() => netflowConfigFromArgs(['--scenario=3'])).toThrow(/scenario/);
    expect(() => netflowConfigFromArgs(['--features=bytes'])).toThrow(/--features=bytes: unknown feature/);
    expect(() => netflowConfigFromArgs(['--input=csv:x'])).toThrow(/--input/);
    expect(() => netflowConfigFromArgs(['--output=ndjson:'])).toThrow(/--output/);
    expect(() => netflowConfigFromArgs(['--scenario=1', '--input=zeek:x'])).toThrow(/scenario/);
    expect(() => netflowConfigFromArgs(['--count=many'])).toThrow(/count/);
  });

  it('refuses generator and job values out of range when the flags are read, naming the flag (not when the run opens its source)', () => {
    const cases: [string, RegExp][] = [
      ['--count=-5', /--count=-5: must be a non-negative integer/],
      ['--count=1.5', /--count=1\.5: /],
      ['--count=0x10', /--count: '0x10' is not a number/],
      ['--rate=0', /--rate=0: must be > 0/],
      ['--sourceIps=0', /--sourceIps=0: /],
      ['--keySkew=-1', /--keySkew=-1: /],
      ['--ipv6Share=2', /--ipv6Share=2: /],
      ['--malformedShare=0.7', /--ipv6Share \+ --malformedShare/],
      ['--window=0s', /--window=0s: must be a positive whole number of ms, got 0/],
      ['--top=-1', /--top=-1: expected a whole number >= 0/],
      ['--top=2.5', /--top=2\.5: expected a whole number >= 0/],
      ['--keepPairs=-1', /--keepPairs=-1: expected a whole number >= 0/],
    ];
    for (const [flag, message] of cases) expect(() => netflowConfigFromArgs(flag === '--malformedShare=0.7' ? [flag, '--ipv6Share=0.5'] : [flag]), flag).toThrow(message);
    expect(netflowConfigFromArgs(['--count=0']).input).toMatchObject({ options: { count: 0 } });
    expect(netflowConfigFromArgs(['--input=ndjson:x', '--count=-5']).input).toEqual({ kind: 'ndjson', path: 'x' }); // generator flags without the generator: unused
  });

  it('understands kafka:<topic> input and output, and asks for brokers when none are known', () => {
    expect(parseInputSpec('kafka:flows')).toEqual({ kind: 'kafka', topic: 'flows' });
    expect(parseOutputSpec('kafka:pairs')).toEqual({ kind: 'kafka', topic: 'pairs' });
    const saved = process.env['KAFKA_BROKERS'];
    delete process.env['KAFKA_BROKERS'];
    try {
      expect(() => buildNetflowApp(Pipeline.create({}), { input: { kind: 'kafka', topic: 'flows' }, output: { kind: 'stdout-summary' }, job: {} })).toThrow(/--brokers/);
      expect(() => buildNetflowApp(Pipeline.create({}), { input: { kind: 'generator', options: { count: 1 } }, output: { kind: 'kafka', topic: 'x' }, job: {} })).toThrow(/KAFKA_BROKERS/);
    } finally {
      if (saved !== undefined) process.env['KAFKA_BROKERS'] = saved;
    }
  });

  it('prints a summary with events, rejects per reason, pairs, windows, top distances, the histogram and per-step metrics', async () => {
    const s = await runNetflowApp(Pipeline.create({}), { ...netflowConfigFromArgs(['--count=1500']), job: { topN: 2 } });
    const text = formatNetflowSummary(s);
    expect(s.eventsIn).toBe(1500);
    const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
    expect(rejected).toBeGreaterThan(0);
    expect(s.recordsParsed + rejected).toBe(1500);
    expect(text).toContain('events in             1,500');
    expect(text).toMatch(/rejected\s+\d+ {2}\(ipv6 \d+/);
    expect(text).toContain(`pairs out             ${s.pairs.pairs.toLocaleString('en-US')}`);
    expect(text).toContain('most distant pairs (top 2 per window kept for 1 windows; overall top 2)');
    expect(text).toContain('distance histogram (log buckets, 5 per decade');
    expect(text).toMatch(/Netflow\/Pairs\s+\d+\s+[\d,]+\s+0\s+0\s+pairs=/);
    expect(text).toMatch(/runner native: [\d,]+ ms wall, [\d,]+ ms CPU/);
  });
});
