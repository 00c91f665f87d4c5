import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../../runners/index.js';
import { PipelineOptionsError } from '../../../sdk/errors.js';
import { Pipeline } from '../../../sdk/pipeline.js';
import { OutputIsInputTopicError, OutputsCollideError, outputTopicsOf, refuseOutputOntoInputTopic, refuseSharedOutputs } from '../../../pipelines/netflow/distinct-outputs.js';
import { buildNetflowApp } from '../../../pipelines/netflow/netflow-app.js';
import { flagFile, outputFilesOf } from '../../../pipelines/netflow/output-not-input.js';

describe('two outputs of one run never share a file, and no output topic is the input topic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'distinct-outputs-'));
  const pairs = join(dir, 'pairs.ndjson');
  writeFileSync(pairs, 'pairs of an earlier run\n');
  symlinkSync(pairs, join(dir, 'alias.ndjson'));

  it('refuses the same file however named, as a typed options error naming both flags', () => {
    for (const other of [pairs, join(dir, '.', 'pairs.ndjson'), join(dir, 'alias.ndjson')]) {
      const refuse = () => refuseSharedOutputs([...outputFilesOf({ kind: 'ndjson', path: pairs }), ...outputFilesOf({ kind: 'ndjson', path: other }, 'deadLetters')]);
      expect(refuse).toThrow(OutputsCollideError);
      expect(refuse).toThrow(PipelineOptionsError);
      expect(refuse).toThrow(`--output=ndjson:${pairs} and --deadLetters=ndjson:${other} are the same file`);
    }
    expect(() => refuseSharedOutputs([...outputFilesOf({ kind: 'ndjson', path: join(dir, 'new.ndjson') }, 'lateOutput'), ...flagFile('statsOut', join(dir, 'new.ndjson'))])).toThrow(
      /--lateOutput=ndjson:\S*new\.ndjson and --statsOut=\S*new\.ndjson are the same file/,
    );
    expect(() => refuseSharedOutputs([...outputFilesOf({ kind: 'ndjson', path: '/dev/stdout' }), ...outputFilesOf({ kind: 'ndjson', path: '/dev/stdout' }, 'deadLetters')])).toThrow(OutputsCollideError);
  });

  it('but not different files', () => {
    expect(() => refuseSharedOutputs([...outputFilesOf({ kind: 'ndjson', path: pairs }), ...outputFilesOf({ kind: 'ndjson', path: join(dir, 'dead.ndjson') }, 'deadLetters'), ...flagFile('statsOut', join(dir, 's.json'))])).not.toThrow();
  });

  it('refuses a Kafka output onto the input topic', () => {
    const refuse = () => refuseOutputOntoInputTopic({ kind: 'kafka', topic: 'flows' }, [...outputTopicsOf({ kind: 'kafka', topic: 'pairs' }), ...outputTopicsOf({ kind: 'kafka', topic: 'flows' }, 'deadLetters')]);
    expect(refuse).toThrow(OutputIsInputTopicError);
    expect(refuse).toThrow('--deadLetters=kafka:flows is the input topic flows');
    expect(() => refuseOutputOntoInputTopic({ kind: 'ndjson', path: 'flows' }, outputTopicsOf({ kind: 'kafka', topic: 'flows' }))).not.toThrow();
  });

  it('buildNetflowApp refuses pairs and dead letters in one file before building anything, leaving it as it was', () => {
    const build = () =>
      buildNetflowApp(Pipeline.create({}), { input: { kind: 'generator', options: { count: 10 } }, output: { kind: 'ndjson', path: pairs }, deadLetters: { kind: 'ndjson', path: join(dir, 'alias.ndjson') }, job: {} });
    expect(build).toThrow(OutputsCollideError);
    const loop = () => buildNetflowApp(Pipeline.create({}), { input: { kind: 'kafka', topic: 'flows' }, output: { kind: 'stdout-summary' }, lateOutput: { kind: 'kafka', topic: 'flows' }, job: {}, kafka: { brokers: '127.0.0.1:1' } });
    expect(loop).toThrow(OutputIsInputTopicError);
    expect(readFileSync(pairs, 'utf8')).toBe('pairs of an earlier run\n');
    expect(readdirSync(dir).sort()).toEqual(['alias.ndjson', 'pairs.ndjson']);
  });
});
