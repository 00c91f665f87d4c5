import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Capture } from '../../../sdk/testing/capture.js';
import { Create } from '../../../transforms/create.js';
import { TextFile } from '../../../transforms/io/text-file.js';
import { ParDo } from '../../../transforms/par-do.js';
import { RUNNERS, runWith } from '../../support/runners.js';

/** 4,000 lines of about 50 bytes: with 4 KiB buffers the sink writes dozens of times during the run. */
const VALUES = Array.from({ length: 4000 }, (_, i) => ({ i, s: 'w'.repeat(40) }));
const LINES = VALUES.map((v) => JSON.stringify(v));
const OLD = 'the previous run\'s output\n';

function dirWithOldOutput(): { dir: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sink-targets-'));
  const out = join(dir, 'out.ndjson');
  writeFileSync(out, OLD);
  return { dir, out };
}

describe.each(RUNNERS)('TextFile.write to a regular file on $label: nothing destroyed', ({ options }) => {
  it('replaces an existing file only at the end of a successful run; mid-run the old content is still there under the final name', async () => {
    const { dir, out } = dirWithOldOutput();
    const seenMidRun: { content: string; hidden: string[] }[] = [];
    const { result } = await runWith(options, (p) =>
      p
        .apply(Create(VALUES))
        .apply(
          'Watch',
          ParDo<{ i: number; s: string }, { i: number; s: string }>({
            process(v, ctx) {
              // Late in the run, after many buffers have been written.
              if (v.i === 3500) seenMidRun.push({ content: readFileSync(out, 'utf8'), hidden: readdirSync(dir).filter((f) => f !== 'out.ndjson') });
              ctx.output(v);
            },
          }),
        )
        .apply('Write', TextFile.write<{ i: number; s: string }>(out, (v) => JSON.stringify(v), 4096)),
    );
    expect(result.state).toBe('DONE');
    expect(seenMidRun).toHaveLength(1);
    expect(seenMidRun[0]!.content).toBe(OLD);
    // The run writes a hidden in-progress file next to the final one.
    expect(seenMidRun[0]!.hidden).toEqual([expect.stringMatching(/^\.out\.ndjson\.[0-9a-f-]{36}\.inprogress$/)]);
    expect(readFileSync(out, 'utf8')).toBe(`${LINES.join('\n')}\n`);
    expect(readdirSync(dir)).toEqual(['out.ndjson']);
  });

  it('a run failing after the sink has written leaves the existing file unchanged and no hidden file behind', async () => {
    const { dir, out } = dirWithOldOutput();
    const run = runWith(options, (p) =>
      p
        .apply(Create(VALUES))
        .apply(
          'FailLate',
          ParDo<{ i: number; s: string }, { i: number; s: string }>({
            process(v, ctx) {
              if (v.i === 3900) throw new Error('boom at 3900');
              ctx.output(v);
            },
          }),
        )
        .apply('Write', TextFile.write<{ i: number; s: string }>(out, (v) => JSON.stringify(v), 4096)),
    );
    await expect(run).rejects.toThrow(/boom at 3900/);
    expect(readFileSync(out, 'utf8')).toBe(OLD);
    expect(readdirSync(dir)).toEqual(['out.ndjson']);
  });

  it('a run failing before any output (a missing input file) leaves the existing file unchanged', async () => {
    const { dir, out } = dirWithOldOutput();
    const run = runWith(options, (p) => p.apply('Missing', TextFile.lines(join(dir, 'missing.txt'))).apply('Write', TextFile.write<string>(out, (l) => l)));
    await expect(run).rejects.toThrow(/ENOENT/);
    expect(readFileSync(out, 'utf8')).toBe(OLD);
    expect(readdirSync(dir)).toEqual(['out.ndjson']);
  });

  it('a cancelled run leaves the existing file unchanged', async () => {
    const { dir, out } = dirWithOldOutput();
    const controller = new AbortController();
    const { result } = await runWith({ ...options, signal: controller.signal }, (p) =>
      p
        .apply(Create(VALUES))
        .apply(
          'Cancel',
          ParDo<{ i: number; s: string }, { i: number; s: string }>({
            process(v, ctx) {
              if (v.i === 3000) controller.abort();
              ctx.output(v);
            },
          }),
        )
        .apply('Write', TextFile.write<{ i: number; s: string }>(out, (v) => JSON.stringify(v), 4096)),
    );
    expect(result.state).toBe('CANCELLED');
    expect(readFileSync(out, 'utf8')).toBe(OLD);
    expect(readdirSync(dir)).toEqual(['out.ndjson']);
  });

  it('writes a new file (and its directory) that did not exist, leaving nothing else behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sink-targets-'));
    const out = join(dir, 'sub', 'new.ndjson');
    await runWith(options, (p) => p.apply(Create(VALUES)).apply('Write', TextFile.write<{ i: number; s: string }>(out, (v) => JSON.stringify(v), 4096)));
    expect(readFileSync(out, 'utf8')).toBe(`${LINES.join('\n')}\n`);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['new.ndjson']);
  });
});

describe.each(RUNNERS)('TextFile.write to pipes and devices on $label', ({ options }) => {
  it.runIf(process.platform !== 'win32')('writes every line, in order, to a FIFO while a reader reads it, and leaves the FIFO a FIFO', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sink-fifo-'));
    const fifo = join(dir, 'pairs.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The reader is another process writing what it reads to a file (a reader in this process could
    // not read while the sink holds the thread waiting for the FIFO to drain).
    const copy = join(tmpdir(), `fifo-copy-${process.pid}-${Date.now()}.txt`);
    const copyFd = openSync(copy, 'w');
    const reader = spawn('cat', [fifo], { stdio: ['ignore', copyFd, 'inherit'] });
    closeSync(copyFd);
    const readerDone = new Promise<number | null>((resolve) => reader.on('close', resolve));
    // Many more bytes than a pipe holds (64 KiB), so the writer waits for the reader.
    const many = Array.from({ length: 20_000 }, (_, i) => ({ i, s: 'f'.repeat(40) }));
    await runWith(options, (p) => p.apply(Create(many)).apply('Write', TextFile.write<{ i: number; s: string }>(fifo, (v) => JSON.stringify(v), 4096)));
    expect(await readerDone).toBe(0);
    expect(readFileSync(copy, 'utf8')).toBe(`${many.map((v) => JSON.stringify(v)).join('\n')}\n`);
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pairs.fifo']);
  });

  it.runIf(existsSync('/dev/null'))('writes to /dev/null (a character device) without replacing it', async () => {
    const { result } = await runWith(options, (p) => {
      const values = p.apply(Create(VALUES));
      values.apply('Write', TextFile.write<{ i: number; s: string }>('/dev/null', (v) => JSON.stringify(v), 4096));
      return values.apply(Capture.records());
    });
    expect(result.state).toBe('DONE');
    expect(result.metrics['Write']!.counters['bytesWritten']).toBe(LINES.join('\n').length + 1);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});
