import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineSource } from '../../../transforms/io/text-file.js';
import { drain, openSource } from '../../support/source-reads.js';

describe('a named pipe as a line source', () => {
  it('whose writer writes two lines and leaves at once: both are read (opening the source does not open the pipe twice)', { timeout: 20_000 }, async () => {
    const fifo = join(mkdtempSync(join(tmpdir(), 'pipe-source-')), 'lines.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The writer blocks until a reader opens the pipe, writes, and exits.
    const writer = spawnSync('bash', ['-c', `(printf '1\\n2\\n' > '${fifo}') >/dev/null 2>&1 & echo started`], { encoding: 'utf8' });
    expect(writer.stdout.trim()).toBe('started');
    const source = lineSource('Lines', fifo, (text) => ({ kind: 'element', value: text }));
    const seen = await drain(await openSource(source), 10);
    expect(seen.elements.map(([v]) => v)).toEqual(['1', '2']);
  });
});
