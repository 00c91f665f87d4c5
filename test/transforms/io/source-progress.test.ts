import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lineSource } from '../../../transforms/io/text-file.js';
import { netflowGeneratorSource } from '../../../pipelines/netflow/io/generator-source.js';
import { Create } from '../../../transforms/create.js';
import { Generate } from '../../../transforms/io/generate.js';
import { progressOf, sourceOf } from '../../support/source-reads.js';

describe('a bounded source reports how much it has read (the share done and time left of a run)', () => {
  it('a file: bytes read of its size', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'progress-')), 'lines.txt');
    writeFileSync(path, 'aaaa\nbbbb\ncccc\ndddd\n'); // 20 bytes
    const seen = await progressOf(lineSource('Lines', path, (text) => ({ kind: 'element', value: text })), 2);
    expect(seen.slice(0, 3)).toEqual([
      { done: 0, total: 20 },
      { done: 10, total: 20 },
      { done: 20, total: 20 },
    ]);
  });

  it('a pipe: unknown', async () => {
    const fifo = join(mkdtempSync(join(tmpdir(), 'progress-')), 'lines.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // a writer that writes two lines and ends
    const writer = spawnSync('bash', ['-c', `(printf 'a\\nb\\n' > '${fifo}') >/dev/null 2>&1 & echo started`], { encoding: 'utf8' });
    expect(writer.stdout.trim()).toBe('started');
    const seen = await progressOf(lineSource('Lines', fifo, (text) => ({ kind: 'element', value: text })), 10);
    expect(seen.every((p) => p === undefined)).toBe(true);
  });

  it('Create and Generate: elements handed out of their number', async () => {
    expect(await progressOf(sourceOf(Create([1, 2, 3, 4, 5])), 2)).toEqual([0, 2, 4, 5].map((done) => ({ done, total: 5 })));
    const generated = await progressOf(sourceOf(Generate.of({ count: 6, element: (i) => i, timestamp: (i) => i })), 4);
    expect(generated).toEqual([0, 4, 6].map((done) => ({ done, total: 6 })));
  });

  it('the Netflow generator: events made of its count', async () => {
    const seen = await progressOf(netflowGeneratorSource({ count: 30, seed: 1 }), 10);
    expect(seen).toEqual([0, 10, 20, 30].map((done) => ({ done, total: 30 })));
  });
});
