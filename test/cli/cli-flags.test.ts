import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkFlags, UnknownFlagError } from '../../sdk/check-flags.js';
import { GENERATE_FLAGS } from '../../bin/generate-command.js';
import { NETFLOW_FLAGS } from '../../bin/netflow-command.js';
import { COMMANDS, usageOf } from '../../bin/usage.js';
import { PIPELINE_FLAGS } from '../../sdk/options.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const flagsIn = (text: string): string[] => [...new Set([...text.matchAll(/--([A-Za-z][\w-]*)/g)].map((m) => m[1]!))].sort();

describe('command-line flags', () => {
  it('accepts known flags in every form, and names unknown ones with the closest known flag', () => {
    expect(() => checkFlags('netflow', ['--scenario=1', '--quiet', '--window', '2s'], ['scenario', 'quiet', 'window'])).not.toThrow();
    expect(() => checkFlags('netflow', ['--', '--seed=2'], ['scenario', 'seed'])).not.toThrow();
    expect(() => checkFlags('netflow', ['--scenari=1'], ['scenario', 'seed'])).toThrow(UnknownFlagError);
    expect(() => checkFlags('netflow', ['--scenari=1'], ['scenario', 'seed'])).toThrow(/unknown flag --scenari \(did you mean --scenario\?\) for 'netflow'/);
    expect(() => checkFlags('netflow', ['--windw=2s', '--colour'], ['window', 'count'])).toThrow(/unknown flags --windw \(did you mean --window\?\), --colour for 'netflow'/);
  });

  it('the help text lists exactly the flags each command takes (besides the test-only --inject-difference)', () => {
    const netflow = [...PIPELINE_FLAGS, ...NETFLOW_FLAGS].filter((f) => f !== 'inject-difference').sort();
    expect(flagsIn(usageOf('netflow')).filter((f) => f !== 'help')).toEqual(netflow);
    expect(flagsIn(usageOf('example')).filter((f) => f !== 'help')).toEqual([...PIPELINE_FLAGS, 'count'].sort());
    expect(flagsIn(usageOf('compare'))).toEqual(expect.arrayContaining(['name', 'outDir', 'scenario', 'input']));
    expect(flagsIn(usageOf('generate')).filter((f) => f !== 'help' && f !== 'input')).toEqual([...PIPELINE_FLAGS, ...GENERATE_FLAGS].sort());
    expect([...COMMANDS].sort()).toEqual(['compare', 'example', 'generate', 'netflow']);
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
});
