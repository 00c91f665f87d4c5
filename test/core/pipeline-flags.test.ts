import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PipelineOptionsError, UnknownFlagError } from '../../sdk/errors.js';
import { flagHelp, formatFlags, parseFlags, type FlagSpecs } from '../../sdk/flags.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { Create } from '../../transforms/create.js';
import { Map } from '../../transforms/map.js';
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
    const out = p.apply(Create.of([1, 2, 3])).apply(Map((x: number) => x * factor)).apply(Capture.records<number>());
    const result = await p.run();
    expect(result.runner).toBe(options.runner);
    expect(out.values().sort()).toEqual([3, 6, 9]);
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
