import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** The real CLI in a child process (short runs only: every case here stops before or soon after it starts). */
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });

describe('compare, generate and example: outputs and flag ranges', () => {
  it('compare --outDir=<a file> is refused before any run (exit 2, one line naming the flag), the file unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-cmd-'));
    const file = join(dir, 'afile');
    writeFileSync(file, 'keep me\n');
    const r = cli('compare', '--count=50', `--outDir=${file}`);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(new RegExp(`^PipelineOptionsError: --outDir=${file}: .*afile is not a directory$`));
    expect(r.stderr).not.toContain('[compare] running');
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
    expect(readdirSync(dir)).toEqual(['afile']);
  });

  it('compare refuses, before any run, --report onto a file of its report folder and two outputs onto one file (exit 2); nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-cmd-'));
    const outDir = join(dir, 'cmp');
    for (const file of ['report.json', 'report.html', 'native.summary.json', 'latency.svg', 'microbatch.report.json']) {
      const r = cli('compare', '--count=50', `--outDir=${outDir}`, '--name=r', `--report=${join(outDir, 'r', file)}`);
      expect(r.status, file).toBe(2);
      expect(r.stderr.trim(), file).toMatch(new RegExp(`^(OutputsCollideError|PipelineOptionsError): .*--report=${join(outDir, 'r', file)}`));
      expect(r.stderr, file).not.toContain('[compare] running');
    }
    const same = cli('compare', '--count=50', `--outDir=${outDir}`, `--output=ndjson:${join(dir, 'x.ndjson')}`, `--deadLetters=ndjson:${join(dir, 'x.ndjson')}`);
    expect(same.status).toBe(2);
    expect(same.stderr.trim()).toMatch(/^OutputsCollideError: /);
    expect(same.stderr).not.toContain('[compare] running');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('compare takes --quiet, as the help lists it for every command that runs a pipeline: no progress lines, no summary, the report written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-cmd-'));
    expect(cli('compare', '--help').stdout).toMatch(/^  --quiet /m);
    const r = cli('compare', '--quiet', '--count=50', `--outDir=${dir}`, '--name=q');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(''); // the runs gave equal results: nothing to say
    expect(existsSync(join(dir, 'q', 'report.json'))).toBe(true);
    expect(existsSync(join(dir, 'q', 'report.html'))).toBe(true);
    const loud = cli('compare', '--count=50', `--outDir=${dir}`, '--name=l');
    expect(loud.stderr).toContain('[compare] running native');
    expect(loud.stdout).toContain('results equal on both runners');
  });

  it('a runner that fails under compare ends compare with one typed line (exit 2: trouble, as diff says it; 1 is a difference), not a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-cmd-'));
    // a directory where the child's input file should be: the child fails after compare started it
    const input = join(dir, 'flows.ndjson');
    mkdirSync(input);
    const r = cli('compare', `--input=ndjson:${input}`, `--outDir=${join(dir, 'cmp')}`);
    expect(r.status).toBe(2);
    const last = r.stderr.trim().split('\n').pop()!;
    expect(last).toMatch(/^CompareRunError: the native run failed \(exit code 1\)/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('generate --output=ndjson:<a directory> is refused before the run (exit 2, PipelineOptionsError)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-cmd-'));
    const r = cli('generate', `--output=ndjson:${dir}`, '--count=10');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`PipelineOptionsError: --output=ndjson:${dir}: is a directory`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('netflow --output/--deadLetters=ndjson:<a directory> is refused before the run (exit 2, PipelineOptionsError)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-cmd-'));
    const r = cli('--count=10', `--output=ndjson:${dir}`);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`PipelineOptionsError: --output=ndjson:${dir}: is a directory`);
    const d = cli('--count=10', `--deadLetters=ndjson:${dir}`);
    expect(d.status).toBe(2);
    expect(d.stderr.trim()).toBe(`PipelineOptionsError: --deadLetters=ndjson:${dir}: is a directory`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('netflow --output=ndjson:<a new path ending in />, or in /. , is refused before the run (exit 2), not after it at the final rename', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-cmd-'));
    for (const out of [`${join(dir, 'new')}/`, `${join(dir, 'new')}/.`]) {
      const r = cli('--count=10', `--output=ndjson:${out}`);
      // Before: the run computed every pair, then failed in teardown (ENOTDIR renaming its file onto 'new/'), exit 1.
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(`PipelineOptionsError: --output=ndjson:${out}: names a directory (it ends in '/', '/.' or '/..'): a file output needs a file name`);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('ndjson:- is the standard stream: --output=ndjson:- writes the pairs to stdout (summary on stderr), --input=ndjson:- reads stdin; no file named -', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-cmd-'));
    const events = join(dir, 'events.ndjson');
    expect(cli('generate', '--count=200', `--output=ndjson:${events}`).status).toBe(0);
    const toFile = cli(`--input=ndjson:${events}`, `--output=ndjson:${join(dir, 'pairs.ndjson')}`);
    expect(toFile.status, toFile.stderr).toBe(0);
    const pairs = readFileSync(join(dir, 'pairs.ndjson'), 'utf8').split('\n').filter(Boolean);
    expect(pairs.length).toBeGreaterThan(100);
    // Before: a file named '-' in the working folder, and nothing on stdout.
    // Through a shell pipe (a Node parent's `input` is a socket, which /dev/stdin cannot be opened on: ENXIO).
    const piped = spawnSync('sh', ['-c', `cat "$1" | "$2" --import tsx bin/watershed.ts --input=ndjson:- --output=ndjson:-`, 'sh', events, process.execPath], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(piped.status, piped.stderr).toBe(0);
    const out = piped.stdout.split('\n').filter(Boolean);
    expect(out.every((l) => l.startsWith('{"eventid_1"'))).toBe(true);
    const key = (l: string) => { const { ts_output: _, ...rest } = JSON.parse(l) as Record<string, unknown>; return JSON.stringify(rest); };
    expect(out.map(key).sort()).toEqual(pairs.map(key).sort());
    expect(existsSync(join(repo, '-'))).toBe(false);
  });

  it('--input=ndjson:- reads stdin when it is a socket (what a Node parent gives a child by default): before, ENXIO', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-cmd-'));
    const events = join(dir, 'events.ndjson');
    expect(cli('generate', '--count=300', `--output=ndjson:${events}`).status).toBe(0);
    const fromFile = cli(`--input=ndjson:${events}`, `--output=ndjson:${join(dir, 'pairs.ndjson')}`);
    expect(fromFile.status, fromFile.stderr).toBe(0);
    const key = (l: string) => { const { ts_output: _, ...rest } = JSON.parse(l) as Record<string, unknown>; return JSON.stringify(rest); };
    const pairs = readFileSync(join(dir, 'pairs.ndjson'), 'utf8').split('\n').filter(Boolean).map(key).sort();
    expect(pairs.length).toBeGreaterThan(100);
    // spawnSync's `input` is written to the child's stdin, a socket pair on Linux.
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', '--input=ndjson:-', `--output=ndjson:${join(dir, 'from-stdin.ndjson')}`], { cwd: repo, encoding: 'utf8', timeout: 60_000, input: readFileSync(events, 'utf8') });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'from-stdin.ndjson'), 'utf8').split('\n').filter(Boolean).map(key).sort()).toEqual(pairs);
  });

  it("compare --name=.. or . is refused before any run (exit 2): the report went into --outDir's parent, replacing its report.json", () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-cmd-'));
    writeFileSync(join(dir, 'report.json'), 'precious\n');
    for (const name of ['..', '.']) {
      const r = cli('compare', '--count=50', `--outDir=${join(dir, 'sub')}`, `--name=${name}`, '--quiet');
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(`PipelineOptionsError: --name=${name}: use letters, digits, '.', '_' and '-' (not '.' or '..' alone)`);
    }
    expect(readdirSync(dir)).toEqual(['report.json']);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe('precious\n');
  });

  it('--count past 2^53 - 1 is refused (it never ended: counting stops at 2^53), for generate, netflow and example', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-cmd-'));
    for (const args of [['generate', `--output=ndjson:${join(dir, 'g.ndjson')}`], ['netflow'], ['example']]) {
      const r = cli(...args, '--count=1e99');
      expect(r.status, args[0]).toBe(2);
      expect(r.stderr.trim(), args[0]).toMatch(/^PipelineOptionsError: --count.*(2\^53 - 1|9007199254740991)/);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('SIGTERM to compare alone stops its running child too: no run goes on orphaned to replace the existing output later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-cmd-'));
    writeFileSync(join(dir, 'p.native.ndjson'), 'the output of an earlier run\n');
    const compare = spawn(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', 'compare', '--count=5000000', `--outDir=${join(dir, 'cmp')}`, `--output=ndjson:${join(dir, 'p.ndjson')}`], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    compare.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => compare.once('exit', (code, signal) => resolve({ code, signal })));
    let ended = false;
    void exited.then(() => (ended = true));
    // the native child is under way once its hidden in-progress file exists
    const inProgress = () => readdirSync(dir).filter((n) => n.endsWith('.inprogress'));
    const deadline = Date.now() + 60_000;
    while (!ended && inProgress().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(ended, stderr).toBe(false);
    expect(inProgress()).toHaveLength(1);
    compare.kill('SIGTERM'); // compare only, not its process group
    const end = await exited;
    expect(end.signal ?? end.code, stderr).toBe('SIGTERM');
    // compare ended after its child: the child removed its hidden file, the earlier output is as it was
    expect(inProgress()).toEqual([]);
    expect(readFileSync(join(dir, 'p.native.ndjson'), 'utf8')).toBe('the output of an earlier run\n');
    expect(existsSync(join(dir, 'p.microbatch.ndjson'))).toBe(false);
  }, 90_000);
});
