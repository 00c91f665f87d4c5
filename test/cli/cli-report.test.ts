import { execFile, spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flow } from '../pipelines/netflow/test-records.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** The real CLI in a child process (not spawnSync: a long synchronous wait starves the test worker). */
const cli = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', ...args], { cwd: repo, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
const fresh = () => mkdtempSync(join(tmpdir(), 'cli-report-'));

/** A small Netflow NDJSON file: 40 flows over 4 one-second windows, one malformed line. */
function input(dir: string): string {
  const path = join(dir, 'flows.ndjson');
  const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify(flow({ eventid: String(i), in_bytes: i, src_ip4: 167772161 + (i % 3), eventtime: 1490024700 + i / 10 })));
  lines.splice(7, 0, '{ not json');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('--report', () => {
  for (const runner of ['native', 'microbatch']) {
    it(`writes the run's page as one static HTML file when the ${runner} run ends`, async () => {
      const dir = fresh();
      const flows = input(dir);
      const report = join(dir, 'report.html');
      const r = await cli(`--input=ndjson:${flows}`, '--window=1s', '--maxOutOfOrderness=1s', `--runner=${runner}`, `--report=${report}`, '--quiet');
      expect(r.stderr).toContain(`[report] ${report}`);
      expect(r.status).toBe(0);
      expect(readdirSync(dir).sort()).toEqual(['flows.ndjson', 'report.html']); // nothing hidden left behind
      const html = readFileSync(report, 'utf8');
      expect(html).toContain(`<title>Watershed: ${runner}</title>`);
      for (const step of ['NdjsonFile', 'Netflow/Parse', 'Netflow/GroupByKey', 'Netflow/Pairs', 'PairStats']) expect(html).toContain(`data-step="${step}"`);
      expect(html).toContain('state-done');
      expect(html).toMatch(/<figure class="chart" data-chart="Records per second"><svg/);
      expect(html).not.toContain('<script');
      expect(html).toContain('data-metric="recordsIn">41<'); // every line read, the malformed one too
      if (runner === 'microbatch') expect(html).toContain('data-chart="Micro-batches"');
    });
  }

  it('a failed run writes no report: an existing file stays as it was', async () => {
    const dir = fresh();
    const report = join(dir, 'report.html');
    writeFileSync(report, 'the report of an earlier run\n');
    const r = await cli(`--input=ndjson:${join(dir, 'missing.ndjson')}`, `--report=${report}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`[report] not written: the run failed; ${report} is left as it was`);
    expect(readFileSync(report, 'utf8')).toBe('the report of an earlier run\n');
    expect(readdirSync(dir)).toEqual(['report.html']);
  });

  it('refuses a report path that is the input file, before anything runs (exit 2)', async () => {
    const dir = fresh();
    const flows = input(dir);
    const before = readFileSync(flows);
    const r = await cli(`--input=ndjson:${flows}`, `--report=${join(dir, '.', 'flows.ndjson')}`);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/OutputIsInputError: --report=\S*flows\.ndjson is the input file/);
    expect(readFileSync(flows)).toEqual(before);
  });

  it('--report and --statsOut to a FIFO write into it and leave it a FIFO (never replaced by a file)', async () => {
    const dir = fresh();
    const flows = input(dir);
    const fifos = { report: join(dir, 'report.fifo'), stats: join(dir, 'stats.fifo') };
    const readers = Object.values(fifos).map((fifo) => {
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      // A reader on the FIFO (as `cat fifo > file` would be), so that opening it for writing goes on.
      return spawn('sh', ['-c', `cat '${fifo}' > '${fifo}.read'`]);
    });
    try {
      const r = await cli(`--input=ndjson:${flows}`, '--window=1s', `--report=${fifos.report}`, `--statsOut=${fifos.stats}`, '--quiet');
      expect(r.stderr).toContain(`[report] ${fifos.report}`);
      expect(r.status).toBe(0);
      for (const fifo of Object.values(fifos)) expect(lstatSync(fifo).isFIFO(), `${fifo} is still a FIFO`).toBe(true);
      await Promise.all(readers.map((c) => new Promise((done) => (c.exitCode !== null ? done(undefined) : c.once('exit', done)))));
      expect(readFileSync(`${fifos.report}.read`, 'utf8')).toContain('<title>Watershed: native</title>');
      expect(JSON.parse(readFileSync(`${fifos.stats}.read`, 'utf8'))).toMatchObject({ eventsIn: 41 });
      expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]); // nothing hidden left behind
    } finally {
      for (const c of readers) c.kill();
    }
  });

  it('--statsOut and --report on a full disk (/dev/full): exit 1 with one typed line naming the flag, no stack trace, the run\'s output published', async () => {
    const dir = fresh();
    const flows = input(dir);
    const out = join(dir, 'pairs.ndjson');
    for (const flag of ['--statsOut', '--report']) {
      const r = await cli(`--input=ndjson:${flows}`, '--window=1s', `--output=ndjson:${out}`, `${flag}=/dev/full`, '--quiet');
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(`OutputFileError: cannot write ${flag}=/dev/full: ENOSPC`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
      expect(readFileSync(out, 'utf8').length).toBeGreaterThan(0);
    }
  });

  it('--uiPort without --ui, or not a port, stops before the run (exit 2)', async () => {
    const noUi = await cli('--count=10', '--uiPort=8123');
    expect(noUi.status).toBe(2);
    expect(noUi.stderr).toContain('--uiPort=8123 needs --ui');
    const bad = await cli('--count=10', '--ui', '--uiPort=http');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--uiPort=http: expected a port number');
  });

  it('compare puts both runners side by side in one report', async () => {
    const dir = fresh();
    const flows = input(dir);
    const report = join(dir, 'both.html');
    const r = await cli('compare', `--input=ndjson:${flows}`, '--window=1s', `--outDir=${join(dir, 'cmp')}`, `--report=${report}`);
    expect(r.status).toBe(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<title>Watershed: native vs microbatch</title>');
    for (const runner of ['native', 'microbatch']) {
      expect(html).toContain(`<th class="runner">${runner}</th>`);
      expect(html).toContain(`<div class="run" data-runner="${runner}"><h3>${runner}</h3><svg class="graph"`);
    }
    expect(html).toContain('native: in');
    expect(html).toContain('microbatch: in');
  });
});
