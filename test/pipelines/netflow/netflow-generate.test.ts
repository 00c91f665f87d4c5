import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateConfigFromArgs } from '../../../bin/generate-command.js';
import { DEFAULT_GENERATOR_OPTIONS, generateNetflow } from '../../../pipelines/netflow/generator.js';
import { buildGenerateApp } from '../../../pipelines/netflow/netflow-generate.js';
import { scenarioOptions } from '../../../pipelines/netflow/scenarios.js';
import { Pipeline } from '../../../sdk/pipeline.js';
import { RUNNERS } from '../../support/runners.js';

describe.each(RUNNERS)('generate on $label', ({ options }) => {
  it('writes exactly the generator lines, in order, to an NDJSON file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'netflow-gen-')), 'flows.ndjson');
    const gen = { ...DEFAULT_GENERATOR_OPTIONS, seed: 5, count: 3000, ipv6Share: 0.05, malformedShare: 0.02 };
    const p = Pipeline.create(options);
    const stats = buildGenerateApp(p, gen, { kind: 'ndjson', path });
    await p.run();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toEqual([...generateNetflow(gen)].map((e) => e.raw));
    expect(stats.events).toBe(3000);
    expect(stats.kinds['ipv6']).toBeGreaterThan(0);
  });
});

describe('generate command flags', () => {
  it('takes the generator flags and a file or Kafka output', () => {
    expect(generateConfigFromArgs(['--scenario=1', '--output=ndjson:out/flows.ndjson'])).toEqual({ generator: scenarioOptions(1), output: { kind: 'ndjson', path: 'out/flows.ndjson' } });
    expect(generateConfigFromArgs(['--scenario=2', '--seed=3', '--output=kafka:netflow', '--brokers=127.0.0.1:19092']).output).toEqual({ kind: 'kafka', topic: 'netflow', brokers: '127.0.0.1:19092' });
    expect(generateConfigFromArgs(['--scenario=2', '--seed=3', '--output=ndjson:x']).generator).toEqual(scenarioOptions(2, { seed: 3 }));
  });

  it('refuses a missing output, the stdout summary, and Kafka without brokers', () => {
    const saved = process.env['KAFKA_BROKERS'];
    delete process.env['KAFKA_BROKERS'];
    try {
      expect(() => generateConfigFromArgs(['--scenario=1'])).toThrow(/needs --output=kafka:<topic> or --output=ndjson:<path>/);
      expect(() => generateConfigFromArgs(['--output=kafka:netflow'])).toThrow(/needs --brokers/);
      expect(() => generateConfigFromArgs(['--input=zeek:x', '--output=ndjson:y'])).toThrow(/--input does not apply/);
    } finally {
      if (saved !== undefined) process.env['KAFKA_BROKERS'] = saved;
    }
  });
});
