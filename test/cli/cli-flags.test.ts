import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UnknownFlagError } from '../../sdk/errors.js';
import { parseFlags, type FlagSpecs } from '../../sdk/flags.js';
import { BIN_NAMES, COMMAND_FLAGS, COMMANDS, usageOf } from '../../bin/usage.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const flagsIn = (text: string): string[] => [...new Set([...text.matchAll(/--([A-Za-z][\w-]*)/g)].map((m) => m[1]!))].sort();
const shown = (flags: FlagSpecs): string[] => Object.keys(flags).filter((f) => !flags[f]!.hidden).sort();
const netflow = { scenario: { type: 'string' }, seed: { type: 'string' }, quiet: { type: 'boolean' }, window: { type: 'string' } } as const;
const check = (argv: string[]) => () => parseFlags(argv, netflow, { program: 'netflow' });

describe('command-line flags', () => {
  it('accepts known flags in every form, and names unknown ones with the closest known flag', () => {
    expect(check(['--scenario=1', '--quiet', '--window', '2s'])()).toEqual({ values: { scenario: '1', quiet: true, window: '2s' }, positionals: [] });
    expect(check(['--', '--seed=2'])().values).toEqual({ seed: '2' });
    expect(check(['--scenari=1'])).toThrow(UnknownFlagError);
    expect(check(['--scenari=1'])).toThrow(/unknown flag --scenari \(did you mean --scenario\?\) for 'netflow'/);
    expect(check(['--windw=2s', '--colour'])).toThrow(/unknown flags --windw \(did you mean --window\?\), --colour for 'netflow'/);
  });

  it('the help text lists exactly the flags each command takes (besides hidden ones like --inject-difference)', () => {
    expect([...COMMANDS].sort()).toEqual(['compare', 'example', 'generate', 'netflow']);
    // (the examples at the end may show other commands' flags)
    for (const command of COMMANDS) expect(flagsIn(usageOf(command).split(/\nExamples?/)[0]!).filter((f) => f !== 'help'), command).toEqual(shown(COMMAND_FLAGS[command]!));
    expect(shown(COMMAND_FLAGS['compare']!)).toEqual(expect.arrayContaining(['name', 'outDir', 'scenario', 'input']));
    expect(Object.keys(COMMAND_FLAGS['netflow']!)).toContain('inject-difference');
    expect(usageOf('netflow')).not.toContain('inject-difference');
  });

  it('the help names the commands as they are run: npm scripts in the repository, the `watershed` bin where installed', () => {
    expect(usageOf(undefined)).toContain('  npm start -- example [flags]');
    expect(usageOf('compare')).toMatch(/^npm run compare -- \[flags\]/);
    for (const command of [undefined, ...COMMANDS]) {
      const text = usageOf(command, BIN_NAMES);
      expect(text, command).not.toMatch(/npm (start|run)/);
      // the same flags either way
      expect(flagsIn(text), command).toEqual(flagsIn(usageOf(command)));
    }
    expect(usageOf(undefined, BIN_NAMES)).toContain('  watershed compare [flags]          the Netflow job on both runners');
    expect(usageOf('generate', BIN_NAMES)).toMatch(/^watershed generate --output=/);
  });

  it('the CLI prints help with --help (exit 0) and refuses a misspelt flag before running anything (exit 2)', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    const help = cli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--scenario=1|2');
    const typo = cli('--scenari=1');
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('did you mean --scenario?');
    expect(typo.stdout).not.toContain('events in');
  });

  // (This test used to expect --drain to be refused with exit 2, while no runner drained; see test/cli/cli-stop.test.ts for draining.)
  it('the CLI takes --drain: a bounded run that ends by itself finishes as usual (exit 0) and checkpoints', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ws-ck-')), 'ck');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', `--checkpointDir=${dir}`, '--drain', '--count=200'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('events in');
    expect(existsSync(join(dir, 'checkpoints'))).toBe(true);
    expect(usageOf('netflow')).toContain('--checkpointDir=<dir>');
    expect(usageOf('compare')).not.toContain('--checkpointDir');
  });
});
