import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../../runners/index.js';
import { PipelineOptionsError } from '../../../sdk/errors.js';
import { Pipeline } from '../../../sdk/pipeline.js';
import { compareOutputFiles } from '../../../pipelines/netflow/compare/compare-outputs.js';
import { buildNetflowApp } from '../../../pipelines/netflow/netflow-app.js';
import { flagFile, outputFilesOf, OutputIsInputError, refuseOutputOntoInput } from '../../../pipelines/netflow/output-not-input.js';

describe('an output that is the input is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'out-not-in-'));
  const input = join(dir, 'flows.ndjson');
  writeFileSync(input, '{"eventid":"1"}\n');
  symlinkSync(input, join(dir, 'alias.ndjson'));

  it('for the same file however named, as a typed options error naming both', () => {
    for (const out of [input, join(dir, '.', 'flows.ndjson'), join(dir, 'alias.ndjson')]) {
      const refuse = () => refuseOutputOntoInput({ kind: 'zeek', path: input }, outputFilesOf({ kind: 'ndjson', path: out }));
      expect(refuse).toThrow(OutputIsInputError);
      expect(refuse).toThrow(PipelineOptionsError);
      expect(refuse).toThrow(`--output=ndjson:${out} is the input file ${input}`);
    }
    expect(() => refuseOutputOntoInput({ kind: 'ndjson', path: input }, flagFile('statsOut', input))).toThrow(/--statsOut=.* is the input file/);
  });

  it('refuses an output folder that holds the input (with checkpoints an output is a folder of parts, which a fresh run moves aside)', () => {
    const parts = join(dir, 'pairs');
    mkdirSync(parts);
    const part = join(parts, 'part-0-000000000001');
    writeFileSync(part, '{"eventid":"1"}\n');
    for (const out of [parts, join(dir, '.', 'pairs'), dir]) {
      expect(() => refuseOutputOntoInput({ kind: 'ndjson', path: part }, outputFilesOf({ kind: 'ndjson', path: out }))).toThrow(`--output=ndjson:${out} holds the input file ${part}`);
    }
    expect(() => refuseOutputOntoInput({ kind: 'ndjson', path: part }, outputFilesOf({ kind: 'ndjson', path: join(dir, 'pair') }))).not.toThrow();
    expect(() => refuseOutputOntoInput({ kind: 'ndjson', path: parts }, outputFilesOf({ kind: 'ndjson', path: part }))).not.toThrow();
  });

  it('but not another file, an output that is no file, or an input that is no file', () => {
    expect(() => refuseOutputOntoInput({ kind: 'ndjson', path: input }, outputFilesOf({ kind: 'ndjson', path: join(dir, 'pairs.ndjson') }))).not.toThrow();
    expect(() => refuseOutputOntoInput({ kind: 'ndjson', path: input }, outputFilesOf({ kind: 'kafka', topic: input }))).not.toThrow();
    expect(() => refuseOutputOntoInput({ kind: 'kafka', topic: 'flows' }, outputFilesOf({ kind: 'ndjson', path: input }))).not.toThrow();
    expect(() => refuseOutputOntoInput({ kind: 'generator', options: {} }, outputFilesOf({ kind: 'ndjson', path: input }))).not.toThrow();
  });

  it('compare checks each runner\'s file and summary', () => {
    const files = compareOutputFiles(`ndjson:${join(dir, 'pairs.ndjson')}`, join(dir, 'cmp'), ['native', 'microbatch']).map((f) => f.path);
    expect(files).toEqual([join(dir, 'pairs.native.ndjson'), join(dir, 'cmp', 'native.summary.json'), join(dir, 'pairs.microbatch.ndjson'), join(dir, 'cmp', 'microbatch.summary.json')]);
    expect(() => refuseOutputOntoInput({ kind: 'ndjson', path: join(dir, 'pairs.microbatch.ndjson') }, compareOutputFiles(`ndjson:${join(dir, 'pairs')}`, dir, ['native', 'microbatch']))).toThrow(
      /the microbatch run's output .*pairs\.microbatch\.ndjson/,
    );
  });

  it('buildNetflowApp refuses before building anything, leaving the input as it was', () => {
    expect(() => buildNetflowApp(Pipeline.create({}), { input: { kind: 'ndjson', path: input }, output: { kind: 'ndjson', path: join(dir, 'alias.ndjson') }, job: {} })).toThrow(OutputIsInputError);
    expect(readFileSync(input, 'utf8')).toBe('{"eventid":"1"}\n');
  });
});
