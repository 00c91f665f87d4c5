import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flow } from '../pipelines/netflow/test-records.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** The real CLI in a child process; its stdout is a socket (how Node's child processes get a pipe). */
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
/** The real CLI with its stdout piped by a shell (a real pipe) into `wc -l`. */
const cliPipedToWc = (...args: string[]) =>
  spawnSync('bash', ['-c', `set -o pipefail; '${process.execPath}' --import tsx bin/watershed.ts ${args.map((a) => `'${a}'`).join(' ')} | wc -l`], { cwd: repo, encoding: 'utf8', timeout: 120_000 });

/** A directory with a small Netflow NDJSON input file. */
function withInput(): { dir: string; input: string; bytes: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'cli-files-'));
  const input = join(dir, 'flows.ndjson');
  writeFileSync(input, Array.from({ length: 30 }, (_, i) => JSON.stringify(flow({ eventid: String(i), in_bytes: i * 10 }))).join('\n') + '\n');
  return { dir, input, bytes: readFileSync(input) };
}

describe('the CLI never destroys a file', () => {
  it('refuses --output that is the --input (exit 2) and leaves the input byte for byte unchanged', () => {
    const { dir, input, bytes } = withInput();
    const r = cli(`--input=ndjson:${input}`, `--output=ndjson:${dir}/./flows.ndjson`);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/OutputIsInputError: --output=ndjson:.*flows\.ndjson is the input file/);
    expect(readFileSync(input)).toEqual(bytes);
    expect(readdirSync(dir)).toEqual(['flows.ndjson']);
  });

  it('compare refuses when one runner\'s output file (<path>.<runner>.ndjson) is the input', () => {
    const { dir, bytes } = withInput();
    const native = join(dir, 'flows.native.ndjson');
    writeFileSync(native, bytes);
    // --output=ndjson:<dir>/flows.ndjson: the native run would write flows.native.ndjson, its own input.
    const same = cli('compare', `--input=ndjson:${native}`, `--output=ndjson:${join(dir, 'flows.ndjson')}`, `--outDir=${join(dir, 'cmp')}`);
    expect(same.status).toBe(2);
    expect(same.stderr).toMatch(/OutputIsInputError: the native run's output \S*flows\.native\.ndjson \(from --output=ndjson:\S*flows\.ndjson\) is the input file/);
    expect(same.stderr).not.toContain('[compare] running');
    expect(readFileSync(native)).toEqual(bytes);
    expect(readdirSync(dir).sort()).toEqual(['flows.native.ndjson', 'flows.ndjson']);
  });

  it('compare refuses an input that is one of the files it writes into its report folder (report.json, a chart), leaving it unchanged', () => {
    const { dir, bytes } = withInput();
    const folder = join(dir, 'cmp', 'x');
    mkdirSync(folder, { recursive: true });
    for (const name of ['report.json', 'time.svg']) {
      const input = join(folder, name);
      writeFileSync(input, bytes);
      const r = cli('compare', `--input=ndjson:${input}`, `--outDir=${join(dir, 'cmp')}`, '--name=x');
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`OutputIsInputError: the comparison's \\S*x/${name.replace('.', '\\.')} is the input file`));
      expect(r.stderr).not.toContain('[compare] running');
      expect(readFileSync(input)).toEqual(bytes);
      expect(readdirSync(folder)).toEqual([name]);
      rmSync(input);
    }
  });

  it('refuses two outputs onto one file (pairs and dead letters, the summary onto the pairs) before anything runs (exit 2), leaving it unchanged', () => {
    const { dir, input } = withInput();
    const out = join(dir, 'out.ndjson');
    writeFileSync(out, 'pairs of an earlier run\n');
    const dead = cli(`--input=ndjson:${input}`, `--output=ndjson:${out}`, `--deadLetters=ndjson:${dir}/./out.ndjson`);
    expect(dead.status).toBe(2);
    expect(dead.stderr).toMatch(/OutputsCollideError: --output=ndjson:\S*out\.ndjson and --deadLetters=ndjson:\S*out\.ndjson are the same file/);
    const stats = cli(`--input=ndjson:${input}`, `--lateOutput=ndjson:${out}`, `--statsOut=${out}`);
    expect(stats.status).toBe(2);
    expect(stats.stderr).toMatch(/OutputsCollideError: --lateOutput=ndjson:\S*out\.ndjson and --statsOut=\S*out\.ndjson are the same file/);
    expect(readFileSync(out, 'utf8')).toBe('pairs of an earlier run\n');
    expect(readdirSync(dir).sort()).toEqual(['flows.ndjson', 'out.ndjson']);
  });

  it('an output that is a dangling symbolic link keeps the link and is written at its target; another output onto that target is refused', () => {
    const { dir, input } = withInput();
    const link = join(dir, 'latest.ndjson');
    symlinkSync('runs/1.ndjson', link); // runs/ does not exist yet
    const collide = cli(`--input=ndjson:${input}`, `--output=ndjson:${link}`, `--deadLetters=ndjson:${join(dir, 'runs', '1.ndjson')}`);
    expect(collide.status, collide.stderr).toBe(2);
    expect(collide.stderr).toMatch(/OutputsCollideError: --output=ndjson:\S*latest\.ndjson and --deadLetters=ndjson:\S*1\.ndjson are the same file/);
    const r = cli(`--input=ndjson:${input}`, `--output=ndjson:${link}`);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'runs', '1.ndjson'), 'utf8')).toMatch(/^\{"eventid_1"/);
  });

  it('a missing input file leaves an existing output file unchanged, with nothing left behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-files-'));
    const out = join(dir, 'pairs.ndjson');
    writeFileSync(out, 'pairs of an earlier run\n');
    const r = cli(`--input=ndjson:${join(dir, 'missing.ndjson')}`, `--output=ndjson:${out}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ENOENT');
    expect(readFileSync(out, 'utf8')).toBe('pairs of an earlier run\n');
    expect(readdirSync(dir)).toEqual(['pairs.ndjson']);
  });
});

describe('the CLI writes to stdout', () => {
  it('--output=ndjson:/dev/stdout piped through a shell pipe gives one line per pair (the summary goes to stderr)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-files-'));
    const stats = join(dir, 'summary.json');
    const r = cliPipedToWc('--count=200', '--output=ndjson:/dev/stdout', `--statsOut=${stats}`);
    expect(r.stderr).not.toMatch(/ESPIPE|Error/);
    expect(r.status).toBe(0);
    const pairs = (JSON.parse(readFileSync(stats, 'utf8')) as { pairs: { pairs: number } }).pairs.pairs;
    expect(pairs).toBeGreaterThan(0);
    expect(Number(r.stdout.trim())).toBe(pairs);
    expect(r.stderr).toContain('events in');
  });

  it('a reader that leaves early (| head -1) stops the run quietly with the status of SIGPIPE, as Unix tools do', () => {
    const r = spawnSync('bash', ['-c', `'${process.execPath}' --import tsx bin/watershed.ts --count=2000 --output=ndjson:/dev/stdout | head -1; echo "status=\${PIPESTATUS[0]}" >&2`], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toHaveProperty('distance');
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect(r.stderr).toContain('status=141');
  });

  it('--output=ndjson:/dev/stdout to a socket (a Node child process\'s stdout) gives exactly the pairs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-files-'));
    const stats = join(dir, 'summary.json');
    const r = cli('--count=200', '--output=ndjson:/dev/stdout', `--statsOut=${stats}`, '--quiet');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.pop()).toBe('');
    const pairs = (JSON.parse(readFileSync(stats, 'utf8')) as { pairs: { pairs: number } }).pairs.pairs;
    expect(lines).toHaveLength(pairs);
    for (const l of lines) expect(Object.keys(JSON.parse(l) as object)).toEqual(['eventid_1', 'ts_flow1', 'eventid_2', 'ts_flow2', 'distance', 'ts_output']);
  });

  it('generate --output=ndjson:/dev/stdout writes exactly the events to stdout, its report to stderr', () => {
    const r = cliPipedToWc('generate', '--count=300', '--output=ndjson:/dev/stdout');
    expect(r.status).toBe(0);
    expect(Number(r.stdout.trim())).toBe(300);
    expect(r.stderr).toContain('wrote 300 Netflow events');
  });
});
