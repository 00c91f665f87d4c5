import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PipelineOptionsError, UnknownFlagError } from '../../sdk/errors.js';
import { flagHelp, formatFlags, parseFlags, type FlagSpecs } from '../../sdk/flags.js';
import { optionsFrom } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { registerRunner } from '../../sdk/runner.js';
import { Capture } from '../../sdk/testing/capture.js';
import { Create } from '../../transforms/create.js';
import { MapElements } from '../../transforms/map.js';
import { RUNNERS } from '../support/runners.js';

const error = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
};

describe("a user's program: Pipeline.create(argv) is strict", () => {
  it('a misspelt pipeline flag fails, naming the closest known one, instead of running native', () => {
    const e = error(() => Pipeline.create(['--runnr=microbatch']));
    expect(e).toBeInstanceOf(UnknownFlagError);
    expect(e.message).toContain('unknown flag --runnr (did you mean --runner?)');
    expect((e as UnknownFlagError).suggestions).toEqual(['--runner']);
    expect(() => Pipeline.create(['--runnr', 'microbatch'])).toThrow(/did you mean --runner\?/);
  });

  it("an undeclared flag of the program's own fails, saying how to declare it", () => {
    expect(() => Pipeline.create(['--input=clicks.ndjson'])).toThrow(/unknown flag --input; a program's own flags are declared with Pipeline.create\(argv, \{ flags \}\)/);
    expect(() => Pipeline.create(['--input=x'], { flags: { inpt: { type: 'string' } }, program: 'my-job' })).toThrow(/--input \(did you mean --inpt\?\) for 'my-job'/);
  });

  it("declared flags of the program's own, in either form, land in options.args, typed", () => {
    const p = Pipeline.create(['--runner', 'microbatch', '--input', 'clicks.ndjson', '--dryRun', '--batchInterval=asap'], {
      flags: { input: { type: 'string', help: 'the file to read' }, dryRun: { type: 'boolean' }, limit: { type: 'string' } },
    });
    expect(p.options.runner).toBe('microbatch');
    expect(p.options.batchInterval).toBe('asap');
    const input: string | undefined = p.options.args.input;
    const dryRun: boolean | undefined = p.options.args.dryRun;
    expect({ input, dryRun, limit: p.options.args.limit }).toEqual({ input: 'clicks.ndjson', dryRun: true, limit: undefined });
  });

  it('refuses a stray word, a repeated flag and a value on a boolean flag', () => {
    expect(() => Pipeline.create(['microbatch'])).toThrow(PipelineOptionsError);
    expect(() => Pipeline.create(['--runner=native', '--runner=microbatch'])).toThrow(/--runner is given twice/);
    expect(() => Pipeline.create(['--progress=false'])).toThrow(/--progress takes no value/);
    expect(() => Pipeline.create([], { flags: { runner: { type: 'string' } } })).toThrow(/--runner is a pipeline flag/);
  });

  it('defaults fill what the command line leaves out; an options object still works', () => {
    const init = { defaults: { bundleSize: 20, maxBatchSize: 100 } };
    expect(Pipeline.create([], init).options).toMatchObject({ bundleSize: 20, maxBatchSize: 100 });
    expect(Pipeline.create(['--bundleSize', '5'], init).options).toMatchObject({ bundleSize: 5, maxBatchSize: 100 });
    expect(Pipeline.create({ runner: 'microbatch', batchInterval: 'asap' }).options).toMatchObject({ runner: 'microbatch', batchInterval: 'asap', bundleSize: 1000, args: {} });
    expect(Pipeline.create().options.runner).toBe('native');
  });

  it.each(RUNNERS)("a program's own flag drives the pipeline on $label", async ({ options }) => {
    const p = Pipeline.create(['--runner', options.runner!, '--factor', '3'], { flags: { factor: { type: 'string' } } });
    const factor = Number(p.options.args.factor);
    const out = p.apply(Create([1, 2, 3])).apply(MapElements((x: number) => x * factor)).apply(Capture.records<number>());
    const result = await p.run();
    expect(result.runner).toBe(options.runner);
    expect(out.values().sort()).toEqual([3, 6, 9]);
  });
});

describe('checkpoint options (parsed and checked; no runner takes checkpoints yet)', () => {
  it('parses every checkpoint flag, and exactly-once is the default with a checkpoint directory', () => {
    const o = optionsFrom(['--checkpointDir=ck', '--checkpointInterval=2s', '--keepCheckpoints', '5', '--guarantee=at-least-once', '--drain', '--jobName=flows', '--allowNonRestoredState']);
    expect(o).toMatchObject({ checkpointDir: 'ck', checkpointInterval: 2000, keepCheckpoints: 5, guarantee: 'at-least-once', drain: true, jobName: 'flows', allowNonRestoredState: true });
    expect(optionsFrom(['--checkpointDir', 'ck'])).toMatchObject({ checkpointDir: 'ck', checkpointInterval: 10_000, keepCheckpoints: 3, guarantee: 'exactly-once', drain: false, allowNonRestoredState: false });
    expect(optionsFrom([])).toMatchObject({ guarantee: 'at-least-once', drain: false });
    expect(optionsFrom([]).checkpointDir).toBeUndefined();
    expect(Pipeline.create({ checkpointDir: 'ck', keepCheckpoints: 2 }).options.guarantee).toBe('exactly-once');
  });

  it.each([
    [['--checkpointDir=ck', '--keepCheckpoints=1'], /--keepCheckpoints must be a whole number >= 2/],
    [['--checkpointDir=ck', '--keepCheckpoints=0'], /--keepCheckpoints: expected a whole number >= 1/],
    [['--checkpointDir=ck', '--checkpointInterval=soon'], /--checkpointInterval: 'soon' is not a duration/],
    [['--checkpointDir=ck', '--checkpointInterval=0'], /--checkpointInterval=0: expected a duration above 0 ms/],
    [['--checkpointDir=ck', '--guarantee=exactly-twice'], /--guarantee: expected exactly-once or at-least-once, got 'exactly-twice'/],
    [['--guarantee=exactly-once'], /exactly-once output needs checkpoints: give --checkpointDir=<dir>/],
    [['--keepCheckpoints=4', '--jobName=x'], /--keepCheckpoints, --jobName need --checkpointDir=<dir>/],
    [['--allowNonRestoredState'], /--allowNonRestoredState needs --checkpointDir=<dir>/],
    [['--checkpointDir='], /--checkpointDir needs a value/],
    [['--checkpointDri=ck'], /did you mean --checkpointDir\?/],
  ])('refuses %j', (argv, message) => {
    const e = error(() => optionsFrom(argv));
    expect(e).toBeInstanceOf(PipelineOptionsError);
    expect(e.message).toMatch(message);
  });

  it('whole-number flags take decimal digits only, up to 2^53 - 1, as --count does (before: 0x10, 1e2, " 7 " and 1e300 were taken)', () => {
    for (const flag of ['bundleSize', 'bufferSize', 'maxBatchSize']) {
      for (const v of ['0x10', '1e2', ' 7 ', '1e300', '9007199254740993', '5.0', '+3']) {
        expect(() => optionsFrom([`--${flag}=${v}`]), `${flag}=${v}`).toThrow(new RegExp(`--${flag}: expected a whole number >= 1, got '${v.replace(/[.+]/g, '\\$&')}'`));
      }
      expect(optionsFrom([`--${flag}=9007199254740991`])).toMatchObject({ [flag]: 9007199254740991 });
      expect(optionsFrom([`--${flag}=016`])).toMatchObject({ [flag]: 16 });
    }
  });

  it('refuses the same mistakes in an options object', () => {
    expect(() => Pipeline.create({ checkpointDir: 'ck', keepCheckpoints: 1 })).toThrow(PipelineOptionsError);
    expect(() => Pipeline.create({ guarantee: 'exactly-once' })).toThrow(/exactly-once output needs checkpoints/);
    expect(() => Pipeline.create({ checkpointDir: '' })).toThrow(/--checkpointDir must be a non-empty path/);
  });

  // (This test used to expect --drain to be refused, while no runner drained; both drain now.)
  it.each(RUNNERS)('a run given --drain runs on $label: a bounded run that ends by itself finishes as usual', async ({ options }) => {
    const p = Pipeline.create(['--runner', options.runner!, '--drain', `--checkpointDir=${mkdtempSync(join(tmpdir(), 'ws-ck-'))}`]);
    const out = p.apply(Create([1, 2, 3])).apply(Capture.records<number>());
    const result = await p.run();
    expect(result.state).toBe('DONE');
    expect(result.checkpoints!.taken.at(-1)!.kind).toBe('finished');
    expect(out.values().sort()).toEqual([1, 2, 3]);
  });

  it('a command line stops on SIGTERM and SIGINT by default; an options object does not (in-process use)', () => {
    expect(optionsFrom([]).stopOnSignals).toBe(true);
    expect(optionsFrom([], { stopOnSignals: false }).stopOnSignals).toBe(false);
    expect(Pipeline.create({}).options.stopOnSignals).toBe(false);
  });

  it.each(RUNNERS)('a run given a checkpoint directory runs on $label and reports its checkpoints', async ({ options }) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ws-ck-')), 'ck');
    const p = Pipeline.create(['--runner', options.runner!, `--checkpointDir=${dir}`]);
    const out = p.apply(Create([1, 2, 3])).apply(Capture.records<number>());
    const result = await p.run();
    expect(out.records.map((r) => r.value).sort()).toEqual([1, 2, 3]);
    expect(result.checkpoints?.taken.map((t) => t.name)).toEqual(['checkpoints/ck-000000000001']);
    expect(existsSync(join(dir, 'checkpoints', 'ck-000000000001'))).toBe(true);
    // Capture has no two-phase commit: under exactly-once the run says its output is at-least-once.
    expect(result.warnings).toEqual([expect.stringMatching(/exactly-once covers sinks with two-phase commit only: 'Capture' has none, so its effects are at-least-once/)]);
  });

  it('a runner that does not take checkpoints refuses --checkpointDir before anything runs, naming the runner', () => {
    let started = false;
    registerRunner('no-checkpoints', () => ({ name: 'no-checkpoints', validate: () => [], start: () => ((started = true), { done: new Promise(() => {}), cancel: () => {} }) }));
    const p = Pipeline.create({ runner: 'no-checkpoints', checkpointDir: 'ck' });
    p.apply(Create([1]));
    expect(() => p.start()).toThrow(PipelineOptionsError);
    expect(() => p.start()).toThrow(/--checkpointDir: the no-checkpoints runner does not take checkpoints/);
    expect(started).toBe(false);
  });
});

describe('parseFlags: one set of rules', () => {
  const FLAGS = { name: { type: 'string', value: '<name>', help: 'who' }, count: { type: 'string' }, loud: { type: 'boolean', help: 'shout' }, secret: { type: 'boolean', hidden: true } } as const satisfies FlagSpecs;

  it('takes --flag=value and --flag value, a value starting with - after =, and skips a bare --', () => {
    expect(parseFlags(['--name', 'ann', '--count=-3', '--loud'], FLAGS).values).toEqual({ name: 'ann', count: '-3', loud: true });
    expect(parseFlags(['--', '--name=bo'], FLAGS).values).toEqual({ name: 'bo' });
    expect(parseFlags(['run', '--name=bo', '--', '--loud'], FLAGS, { positionals: true })).toEqual({ values: { name: 'bo' }, positionals: ['run', '--loud'] });
  });

  it.each([
    [['-n', 'ann'], UnknownFlagError, /unknown flag -n; --help/],
    [['-abc'], UnknownFlagError, /unknown flag -abc;/],
    [['--nme=ann', '--lod'], UnknownFlagError, /unknown flags --nme \(did you mean --name\?\), --lod \(did you mean --loud\?\)/],
    [['ann'], PipelineOptionsError, /unexpected argument 'ann'/],
    [['--name'], PipelineOptionsError, /--name needs a value: --name=<name>/],
    [['--name='], PipelineOptionsError, /--name needs a value/],
    [['--count', '-3'], PipelineOptionsError, /--count needs a value: --count=<value> \(a value starting with '-' goes after '=': --count=-3\)/],
    [['--loud=yes'], PipelineOptionsError, /--loud takes no value/],
    [['--loud', '--loud'], PipelineOptionsError, /--loud is given twice/],
  ])('refuses %j', (argv, type, message) => {
    const e = error(() => parseFlags(argv, FLAGS));
    expect(e).toBeInstanceOf(type);
    expect(e.message).toMatch(message);
  });

  it('formatFlags gives back a command line that parses to the same values', () => {
    const value = fc.string({ minLength: 1 });
    fc.assert(
      fc.property(fc.record({ name: value, count: value, loud: fc.boolean() }, { requiredKeys: [] }), (values) => {
        const expected = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== false));
        expect(parseFlags(formatFlags(values), FLAGS).values).toEqual(expected);
      }),
    );
  });

  it('the help lines come from the same declarations, hidden flags left out', () => {
    expect(flagHelp(FLAGS)).toBe(['  --name=<name>                  who', '  --count=<value>', '  --loud                         shout'].join('\n'));
  });
});
